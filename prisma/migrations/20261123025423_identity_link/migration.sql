-- CreateTable
CREATE TABLE "LinkCode" (
    "code" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LinkCode_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "LinkFailure" (
    "id" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "failedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LinkFailure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LinkCode_personId_idx" ON "LinkCode"("personId");

-- CreateIndex
CREATE INDEX "LinkFailure_personId_failedAt_idx" ON "LinkFailure"("personId", "failedAt");

-- AddForeignKey
ALTER TABLE "LinkCode" ADD CONSTRAINT "LinkCode_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LinkFailure" ADD CONSTRAINT "LinkFailure_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

