-- Indexes for the dashboard and ops queries on the send ledger (see bench/explain.ts).
-- (status, createdAt) replaces (status): the problems list and `outreach ledger list --status` (status,
-- newest first), the failed/suppressed/ambiguous arm of the sends-per-hour window, counts by status.
-- DropIndex
DROP INDEX "SendLedger_status_idx";

-- CreateIndex
CREATE INDEX "SendLedger_status_createdAt_idx" ON "SendLedger"("status", "createdAt");

-- The dashboard's emails per hour: rows sent since the window's start.
-- CreateIndex
CREATE INDEX "SendLedger_sentAt_idx" ON "SendLedger"("sentAt");
