// The ops view of a run in Temporal's visibility store: step, state and next action time as search
// attributes. Shared by the sequence and check-in workflows. An upsert is a command (and a history
// event), so it is issued only when one of the three values changed.
import { upsertSearchAttributes } from '@temporalio/workflow';
import { OutreachNextActionAt, OutreachState, OutreachStep } from '../../domain/search-attributes';
import type { OpsState } from '../sequence/messages';

export interface PublishedAttributes {
  step: string;
  state: OpsState;
  /** ISO instant of the next action, or '' for none. */
  at: string;
}

/** Returns `publish(attrs)`, which upserts the three attributes when they differ from the last call. */
export function searchAttributePublisher(): (attrs: PublishedAttributes) => void {
  let published = '';
  return (attrs) => {
    const key = JSON.stringify(attrs);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: OutreachStep, value: attrs.step || null },
      { key: OutreachState, value: attrs.state },
      { key: OutreachNextActionAt, value: attrs.at ? new Date(attrs.at) : null },
    ] as never); // typed-pair overload; the cast keeps the mixed key types in one call
  };
}
