-- AlterTable
ALTER TABLE "Event" ADD COLUMN "dispatchError" TEXT;
ALTER TABLE "Event" ADD COLUMN "ordinal" INTEGER;

-- CreateTable
CREATE TABLE "EventOutbox" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "eventId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    CONSTRAINT "EventOutbox_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DispatchLease" (
    "customerId" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "until" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SequenceVersion" (
    "sequenceId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("sequenceId", "version")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Enrollment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "sequenceId" TEXT NOT NULL,
    "sequenceVersion" INTEGER NOT NULL,
    "entryKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "currentStep" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    "triggerEventId" TEXT,
    "listensTo" TEXT NOT NULL DEFAULT '',
    "generation" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Enrollment_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Enrollment" ("currentStep", "customerId", "endedAt", "entryKey", "id", "sequenceId", "sequenceVersion", "startedAt", "status", "triggerEventId", "workflowId") SELECT "currentStep", "customerId", "endedAt", "entryKey", "id", "sequenceId", "sequenceVersion", "startedAt", "status", "triggerEventId", "workflowId" FROM "Enrollment";
DROP TABLE "Enrollment";
ALTER TABLE "new_Enrollment" RENAME TO "Enrollment";
CREATE UNIQUE INDEX "Enrollment_workflowId_key" ON "Enrollment"("workflowId");
CREATE INDEX "Enrollment_sequenceId_status_idx" ON "Enrollment"("sequenceId", "status");
CREATE UNIQUE INDEX "Enrollment_customerId_sequenceId_entryKey_key" ON "Enrollment"("customerId", "sequenceId", "entryKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "EventOutbox_eventId_key" ON "EventOutbox"("eventId");

-- CreateIndex
CREATE INDEX "EventOutbox_customerId_seq_idx" ON "EventOutbox"("customerId", "seq");

-- CreateIndex
CREATE INDEX "EventOutbox_nextAttemptAt_idx" ON "EventOutbox"("nextAttemptAt");

-- CreateIndex
CREATE INDEX "Event_customerId_name_ordinal_idx" ON "Event"("customerId", "name", "ordinal");

-- Events accepted before the outbox existed and never dispatched are queued now, in arrival order.
INSERT INTO "EventOutbox" ("eventId", "customerId") SELECT "id", "customerId" FROM "Event" WHERE "dispatchedAt" IS NULL ORDER BY "receivedAt";
