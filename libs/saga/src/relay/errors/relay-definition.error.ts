import { SagaDefinitionError } from '../../errors/saga-definition.error';

/** A relay names a method its service does not have, or another option is wrong; thrown at bootstrap. */
export class RelayDefinitionError extends SagaDefinitionError {}
