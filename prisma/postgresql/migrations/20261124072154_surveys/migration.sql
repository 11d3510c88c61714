-- AlterTable
ALTER TABLE "SurveyResponse" ADD COLUMN     "closesAt" TIMESTAMP(3),
ADD COLUMN     "remindedAt" TIMESTAMP(3),
ADD COLUMN     "sequenceId" TEXT,
ADD COLUMN     "stepId" TEXT,
ADD COLUMN     "template" TEXT;

-- CreateTable
CREATE TABLE "SurveyGate" (
    "customerId" TEXT NOT NULL,
    "surveyId" TEXT NOT NULL,
    "claimedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SurveyGate_pkey" PRIMARY KEY ("customerId")
);

-- CreateIndex
CREATE INDEX "SurveyResponse_sentAt_idx" ON "SurveyResponse"("sentAt");

-- AddForeignKey
ALTER TABLE "SurveyGate" ADD CONSTRAINT "SurveyGate_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
