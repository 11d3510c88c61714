-- AlterTable
ALTER TABLE "SurveyResponse" ADD COLUMN "closesAt" DATETIME;
ALTER TABLE "SurveyResponse" ADD COLUMN "remindedAt" DATETIME;
ALTER TABLE "SurveyResponse" ADD COLUMN "sequenceId" TEXT;
ALTER TABLE "SurveyResponse" ADD COLUMN "stepId" TEXT;
ALTER TABLE "SurveyResponse" ADD COLUMN "template" TEXT;

-- CreateTable
CREATE TABLE "SurveyGate" (
    "customerId" TEXT NOT NULL PRIMARY KEY,
    "surveyId" TEXT NOT NULL,
    "claimedAt" DATETIME NOT NULL,
    CONSTRAINT "SurveyGate_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SurveyResponse_sentAt_idx" ON "SurveyResponse"("sentAt");
