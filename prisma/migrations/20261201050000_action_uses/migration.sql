-- CreateTable
CREATE TABLE "ActionUse" (
    "personId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "claimedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMP(3),
    "outcome" JSONB,

    CONSTRAINT "ActionUse_pkey" PRIMARY KEY ("personId","token")
);

-- CreateIndex
CREATE INDEX "ActionUse_claimedAt_idx" ON "ActionUse"("claimedAt");

-- AddForeignKey
ALTER TABLE "ActionUse" ADD CONSTRAINT "ActionUse_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

