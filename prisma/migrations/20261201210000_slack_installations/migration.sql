-- Slack OAuth installations (issue 21): one row per workspace or org-wide install, the bot token sealed
-- with SLACK_TOKEN_ENCRYPTION_KEY so the database alone never reads it.
-- CreateTable
CREATE TABLE "SlackInstallation" (
    "id" TEXT NOT NULL,
    "installationKey" TEXT NOT NULL,
    "teamId" TEXT,
    "teamName" TEXT,
    "enterpriseId" TEXT,
    "enterpriseName" TEXT,
    "isEnterpriseInstall" BOOLEAN NOT NULL DEFAULT false,
    "botTokenSealed" TEXT NOT NULL,
    "botUserId" TEXT,
    "botId" TEXT,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "installerUserId" TEXT,
    "teamsSeen" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SlackInstallation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SlackInstallation_installationKey_key" ON "SlackInstallation"("installationKey");
