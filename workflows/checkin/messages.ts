// The check-in workflow's contract. It answers the sequence workflow's signals and queries (event,
// profileChanged, pause, resume, cancel, state: workflows/sequence/messages.ts), so the API's event
// dispatch, profile updates and ops tooling treat it like any enrollment (sequence id "checkin").
import { defineQuery } from '@temporalio/workflow';
import type { StepRecord } from '../sequence/messages';

/** The sequence id and entry key check-ins are recorded under in the Enrollment table. */
export const CHECKIN_SEQUENCE_ID = 'checkin';
export const CHECKIN_ENTRY_KEY = 'checkin';
/** Cycles remembered in the state (the send ledger keeps every email). */
export const CHECKIN_HISTORY_KEPT = 12;

export interface CheckinInput {
  customerId: string;
  /** Events that end the check-ins (CHECKIN_STOP_EVENTS at start), e.g. unsubscribed, churned. */
  stopEvents: string[];
  /** Carried over by continueAsNew at the end of every cycle. Plain JSON only. */
  carried?: CheckinCarried;
  /**
   * How many times the check-ins were restarted after they ended (Enrollment.generation). Each
   * generation has its own send-ledger keys, so a restart sends again instead of finding the first
   * generation's emails already sent.
   */
  generation?: number;
}

export interface CheckinCarried {
  startedAt: string;
  /** Cycles completed so far (sent, skipped or failed); the next check-in's ledger iteration. */
  cycle: number;
  /** When the next check-in is due (UTC, ISO-8601). */
  nextAt: string;
  paused: boolean;
  profileVersion: number;
  sent: number;
  skipped: number;
  /** The last CHECKIN_HISTORY_KEPT cycles. */
  history: StepRecord[];
}

/** The longest start jitter: a bulk start's first check-ins come due over up to 6 hours, not in one second. */
export const CHECKIN_START_JITTER_MAX_MS = 6 * 3_600_000;

/**
 * How much later than one cadence after the start a check-in's first cycle comes due: a
 * deterministic spread (FNV-1a of the workflow id) over min(6 hours, a tenth of the cadence), so
 * 100,000 check-ins started together (a bulk import, CHECKIN_AUTO_START on a backfill) do not wake
 * every timer in the same second one cadence later. Later cycles are due one cadence after the
 * previous one was decided, so the spread stays. Pure and deterministic: safe in workflow code.
 */
export function checkinStartJitterMs(workflowId: string, cadenceDays: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < workflowId.length; i++) {
    h ^= workflowId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const window = Math.min(CHECKIN_START_JITTER_MAX_MS, Math.floor((cadenceDays * 86_400_000) / 10));
  return window > 0 ? Math.floor((h / 0x1_0000_0000) * window) : 0;
}

/** What `checkinState` answers (the `state` query answers the EnrollmentState shape). */
export interface CheckinStatus {
  customerId: string;
  status: 'running' | 'paused' | 'exited' | 'cancelled';
  cycle: number;
  nextAt?: string;
  sent: number;
  skipped: number;
  history: StepRecord[];
  exitReason?: string;
}

export const checkinStateQuery = defineQuery<CheckinStatus>('checkinState');

/** Input of the workflow behind an "I need help" click: one alert per (customer, email workflow, day). */
export interface HelpRequestInput {
  customerId: string;
  /** The workflow whose email carried the link. */
  sourceWorkflowId?: string;
  requestedAt: string;
}
