// Signals and queries of the sequence workflow, shared with the client so both sides agree on names
// and payload types.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SequenceEvent } from '../../domain/sequence/types';

/** Calendar-relevant profile fields that changed; waits in progress are recomputed. */
export interface ProfileChange {
  timeZone?: string | null;
  country?: string | null;
  region?: string | null;
  /** Bumped by the API on every change, so repeated identical signals are harmless. */
  version: number;
}

export type EnrollmentStatus = 'running' | 'paused' | 'completed' | 'exited' | 'cancelled' | 'holdout' | 'failed';
/** The coarse state ops filter on (search attribute OutreachState). */
export type OpsState = 'waiting' | 'sending' | 'paused' | 'failed' | 'completed';

export interface StepRecord {
  stepId: string;
  type: string;
  iteration: number;
  startedAt: string;
  finishedAt: string;
  /** e.g. "sent", "already-sent", "ambiguous", "suppressed", "event", "timeout", "variant:b", "case:1". */
  outcome: string;
  messageId?: string;
}

export interface NextAction {
  stepId: string;
  kind: string;
  /** UTC instant, ISO-8601. */
  at?: string;
  /** The same instant in the customer's zone, ISO-8601 with offset. */
  local?: string;
  zone?: string;
}

export interface EnrollmentState {
  sequenceId: string;
  /** When the enrollment started (workflow time), ISO-8601. */
  startedAt?: string;
  sequenceVersion: number;
  customerId: string;
  entryKey: string;
  status: EnrollmentStatus;
  currentStep?: string;
  next?: NextAction;
  stepsDone: StepRecord[];
  variant?: string;
  exitReason?: string;
  goalReachedAt?: string;
}

export const eventSignal = defineSignal<[SequenceEvent]>('event');
export const profileChangedSignal = defineSignal<[ProfileChange]>('profileChanged');
export const pauseSignal = defineSignal<[]>('pause');
export const resumeSignal = defineSignal<[]>('resume');
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');
export const stateQuery = defineQuery<EnrollmentState>('state');

/**
 * Moves a running enrollment to a new version of its sequence. `stepMap` maps old step ids to new
 * ones; a step missing from the map keeps its id (it must exist in the new version). Applied at the
 * next step boundary: a wait in progress finishes under the old version.
 */
export interface MigrationRequest {
  definition: import('../../domain/sequence/types').SequenceDefinition;
  stepMap: Record<string, string>;
}
export const migrateSignal = defineSignal<[MigrationRequest]>('migrate');

