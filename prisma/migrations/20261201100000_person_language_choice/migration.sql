-- A person's own choice of language (/lc language, a picker) wins over what Slack or Teams say.
ALTER TABLE "Person" ADD COLUMN "languageChosenAt" TIMESTAMP(3);
