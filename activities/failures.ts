// Failure types the workflows treat as final (see nonRetryableErrorTypes in workflows/shared/activities.ts).
// One module, so the names stay in step on both sides.
import { ApplicationFailure } from '@temporalio/common';

export const FailureType = {
  Template: 'TemplateError',
  Calendar: 'CalendarError',
  CustomerNotFound: 'CustomerNotFound',
  InvalidRecipient: 'InvalidRecipient',
  Definition: 'DefinitionNotFound',
} as const;

export function nonRetryable(type: (typeof FailureType)[keyof typeof FailureType], message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}
