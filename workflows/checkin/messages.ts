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
