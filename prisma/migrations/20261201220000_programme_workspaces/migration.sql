-- Workspaces are boundaries (issue 21): the Slack workspaces and Teams tenants a programme is attached to.
-- Written in prisma migrate diff's form by hand: the diff engine could not be downloaded offline.
-- CreateTable
CREATE TABLE "ProgrammeWorkspace" (
    "id" TEXT NOT NULL,
    "programmeId" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT,
    "attachedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attachedByPersonId" TEXT,

    CONSTRAINT "ProgrammeWorkspace_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ProgrammeWorkspace_platform_externalId_idx" ON "ProgrammeWorkspace"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "ProgrammeWorkspace_programmeId_platform_externalId_key" ON "ProgrammeWorkspace"("programmeId", "platform", "externalId");

-- AddForeignKey
ALTER TABLE "ProgrammeWorkspace" ADD CONSTRAINT "ProgrammeWorkspace_programmeId_fkey" FOREIGN KEY ("programmeId") REFERENCES "Programme"("id") ON DELETE CASCADE ON UPDATE CASCADE;
