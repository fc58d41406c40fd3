export { RelayCallFailedError } from './relay-call-failed.error';
export { RelayDefinitionError } from './relay-definition.error';
export { RelaySupersededError } from './relay-superseded.error';
