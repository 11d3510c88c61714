-- AlterTable
ALTER TABLE "SendLedger" ADD COLUMN     "claimedAt" TIMESTAMP(3),
ADD COLUMN     "request" TEXT,
ADD COLUMN     "retryAt" TIMESTAMP(3);

