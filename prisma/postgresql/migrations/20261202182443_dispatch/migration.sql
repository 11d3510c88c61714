-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN     "generation" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "listensTo" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "dispatchError" TEXT,
ADD COLUMN     "ordinal" INTEGER;

-- CreateTable
CREATE TABLE "EventOutbox" (
    "seq" SERIAL NOT NULL,
    "eventId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,

    CONSTRAINT "EventOutbox_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "DispatchLease" (
    "customerId" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DispatchLease_pkey" PRIMARY KEY ("customerId")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "SequenceVersion" (
    "sequenceId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SequenceVersion_pkey" PRIMARY KEY ("sequenceId","version")
);

-- CreateIndex
CREATE UNIQUE INDEX "EventOutbox_eventId_key" ON "EventOutbox"("eventId");

-- CreateIndex
CREATE INDEX "EventOutbox_customerId_seq_idx" ON "EventOutbox"("customerId", "seq");

-- CreateIndex
CREATE INDEX "EventOutbox_nextAttemptAt_idx" ON "EventOutbox"("nextAttemptAt");

-- CreateIndex
CREATE INDEX "Event_customerId_name_ordinal_idx" ON "Event"("customerId", "name", "ordinal");

-- AddForeignKey
ALTER TABLE "EventOutbox" ADD CONSTRAINT "EventOutbox_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Events accepted before the outbox existed and never dispatched are queued now, in arrival order.
INSERT INTO "EventOutbox" ("eventId", "customerId") SELECT "id", "customerId" FROM "Event" WHERE "dispatchedAt" IS NULL ORDER BY "receivedAt";
