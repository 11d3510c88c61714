// The workflow bundle's entry point: every workflow the worker runs.
export { sequenceWorkflow } from './sequence/workflow';
export { surveyWorkflow } from './survey/workflow';
export { checkinWorkflow } from './checkin/workflow';
export { helpRequestWorkflow } from './checkin/help';
