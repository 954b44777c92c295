-- AlterTable
ALTER TABLE "Registration" ADD COLUMN     "assignedClusterId" TEXT;

-- AddForeignKey
ALTER TABLE "Registration" ADD CONSTRAINT "Registration_assignedClusterId_fkey" FOREIGN KEY ("assignedClusterId") REFERENCES "Cluster"("id") ON DELETE SET NULL ON UPDATE CASCADE;

