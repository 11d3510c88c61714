-- AlterTable
ALTER TABLE "SendLedger" ADD COLUMN "claimedAt" DATETIME;
ALTER TABLE "SendLedger" ADD COLUMN "request" TEXT;
ALTER TABLE "SendLedger" ADD COLUMN "retryAt" DATETIME;

