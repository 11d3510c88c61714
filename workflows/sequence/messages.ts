// Signals and queries of the sequence workflow, shared with the client so both sides agree on names
// and payload types.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SequenceEvent } from '../../domain/sequence/types';

/** Calendar-relevant profile fields that changed; waits in progress are recomputed. */
export interface ProfileChange {
  timeZone?: string | null;
  country?: string | null;
  region?: string | null;
  /** Bumped by the API on every change, so repeated identical signals are harmless. */
  version: number;
}

/** The coarse state ops filter on (search attribute OutreachState). */
export type OpsState = 'waiting' | 'sending' | 'paused' | 'failed' | 'completed';
// One definition of these, in the interpreter (domain/sequence/machine.ts).
export type { EnrollmentStatus, StepRecord, NextAction, SurveyOutcome } from '../../domain/sequence/machine';
import type { EnrollmentStatus, StepRecord, NextAction, SurveyOutcome } from '../../domain/sequence/machine';

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


/** A survey started by a survey step reports its outcome to the enrollment that asked for it. */
export const surveyOutcomeSignal = defineSignal<[{ surveyId: string; outcome: SurveyOutcome }]>('surveyOutcome');

// Ops actions as Updates: the caller learns at once whether the action took. A validator refuses an
// action that does not apply (resume of a run that is not paused, pause of an ended one, a migration
// whose mapping misses the run's real current step) and nothing is written to the run's history.
// The signals above stay for the API's event dispatch and for runs started by earlier releases.

/** What an accepted ops Update answers. */
export interface OpsReply {
  workflowId: string;
  /** The run's status after the action (paused, running, cancelled, ...). */
  status: string;
  /** The step the run was at when the action was accepted. */
  step?: string;
}

/**
 * A migration to a newer version, stored in the SequenceVersion table by `outreach sequence migrate`;
 * the run loads the definition itself (no definition travels with each request). `stepIds` are the
 * new version's step ids, for the validator.
 */
export interface MigrateRunRequest {
  sequenceId: string;
  version: number;
  stepIds: string[];
  stepMap: Record<string, string>;
}

export const pauseUpdate = defineUpdate<OpsReply>('pauseRun');
export const resumeUpdate = defineUpdate<OpsReply>('resumeRun');
export const cancelUpdate = defineUpdate<OpsReply, [{ reason?: string }]>('cancelRun');
export const migrateUpdate = defineUpdate<OpsReply, [MigrateRunRequest]>('migrateRun');
