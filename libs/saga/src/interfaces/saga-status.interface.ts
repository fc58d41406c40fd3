/** The status view is computed by the engine; re-exported here for the public interfaces. */
export type * from '../engine/saga-status-view';
