/**
 * The flow of test/tracing.e2e-spec.ts: the runtime specs' parcel flow, its aggregator run in the test
 * process and its tasks in the worker process (test/support/tracing/tracing-worker.ts). `pack` makes a span
 * of its own (`label printer`), which must nest under the task's span.
 */
export { Parcel, ParcelSaga, ParcelTasks } from '@dta/saga/runtime/testing/parcel.flow';
