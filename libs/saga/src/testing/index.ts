/**
 * `@dta/saga/testing`: `SagaTestingModule` (a flow and its hosts in one test module, with faults injected per
 * task: `SagaFaults`, `SagaTester`), and the contract suites a third-party transport or store runs to prove it
 * behaves like the shipped ones (Jest). Not imported by the library itself.
 *
 * @example
 * // my-broker.transport.int-spec.ts
 * describeSagaTransportContract('MyBrokerTransport', async ({ prefix, ...limits }) => ({
 *   transport: new MyBrokerTransport({ prefix, ...limits }),
 *   injectRaw: ..., deadLetters: ..., watchEvents: ..., dispose: ...,
 * }));
 */
export {
  describeSagaTransportContract,
  contractPrefix,
  contractQueues,
  contractExchanges,
  eventually,
  deferred,
  CONTRACT_FLOWS,
  CONTRACT_TASKS,
  CONTRACT_INSTANCES,
  CONTRACT_SUBSCRIBERS,
  type ContractDeadLetter,
  type RawRoute,
  type SagaTransportContractFactory,
  type SagaTransportContractOptions,
  type SagaTransportContractSubject,
} from '../transport/saga-transport.contract';
export { describeSagaStoreContract, type SagaStoreFixture } from '../store/saga-store.contract';
export { SagaTestingModule, type SagaTestingOptions } from './saga-testing.module';
export { SagaFaults, TaskFault, type TaskFaultKind, type TaskFaultOptions } from './saga-faults';
export { SagaTester, timelineOf } from './saga-tester';
