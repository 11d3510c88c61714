// Custom search attributes the engine writes so ops can find runs in Temporal's visibility store.
// None carries personal data: sequence and step ids are marketer-defined names, states are fixed
// words. Imported by workflows (upserts), the client (queries) and the dev-server setup (registration).
import { defineSearchAttributeKey } from '@temporalio/common';

export const OutreachSequence = defineSearchAttributeKey('OutreachSequence', 'KEYWORD');
export const OutreachStep = defineSearchAttributeKey('OutreachStep', 'KEYWORD');
/** One of: waiting, sending, paused, failed, completed. */
export const OutreachState = defineSearchAttributeKey('OutreachState', 'KEYWORD');
export const OutreachNextActionAt = defineSearchAttributeKey('OutreachNextActionAt', 'DATETIME');

export const ALL_SEARCH_ATTRIBUTES = [OutreachSequence, OutreachStep, OutreachState, OutreachNextActionAt];

/** Indexed value types as the operator API numbers them (temporal.api.enums.v1.IndexedValueType). */
const INDEXED_VALUE_TYPE = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 } as const;

/** The `searchAttributes` map of an OperatorService.addSearchAttributes request for our attributes. */
export function searchAttributeRegistration(): Record<string, number> {
  return Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]]));
}
