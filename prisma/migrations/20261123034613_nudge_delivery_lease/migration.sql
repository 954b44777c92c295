-- AlterTable
ALTER TABLE "NudgeDelivery" ADD COLUMN     "leaseUntil" TIMESTAMP(3);

