-- Detailed designs of events (Annex 2 of the method, issue 19 item 2): one design per timeline item,
-- its sessions per day, and the audit trail of every edit (who, when, from what, to what).
-- CreateTable
CREATE TABLE "EventDesign" (
    "id" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "goal" TEXT,
    "objectives" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "output" TEXT,
    "indicator" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EventDesign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EventSession" (
    "id" TEXT NOT NULL,
    "designId" TEXT NOT NULL,
    "day" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "startTime" TEXT NOT NULL,
    "endTime" TEXT,
    "name" TEXT NOT NULL,
    "objective" TEXT,
    "content" TEXT,
    "responsibleId" TEXT,
    "responsibleText" TEXT,
    "moderatorNotes" TEXT,
    "preparationNotes" TEXT,

    CONSTRAINT "EventSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EventDesignChange" (
    "id" TEXT NOT NULL,
    "designId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "changedById" TEXT,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "oldValue" JSONB,
    "newValue" JSONB,

    CONSTRAINT "EventDesignChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EventDesign_itemId_key" ON "EventDesign"("itemId");

-- CreateIndex
CREATE INDEX "EventSession_designId_day_position_idx" ON "EventSession"("designId", "day", "position");

-- CreateIndex
CREATE INDEX "EventDesignChange_designId_changedAt_idx" ON "EventDesignChange"("designId", "changedAt");

-- AddForeignKey
ALTER TABLE "EventDesign" ADD CONSTRAINT "EventDesign_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "TimelineItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventSession" ADD CONSTRAINT "EventSession_designId_fkey" FOREIGN KEY ("designId") REFERENCES "EventDesign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventSession" ADD CONSTRAINT "EventSession_responsibleId_fkey" FOREIGN KEY ("responsibleId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventDesignChange" ADD CONSTRAINT "EventDesignChange_designId_fkey" FOREIGN KEY ("designId") REFERENCES "EventDesign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventDesignChange" ADD CONSTRAINT "EventDesignChange_changedById_fkey" FOREIGN KEY ("changedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

