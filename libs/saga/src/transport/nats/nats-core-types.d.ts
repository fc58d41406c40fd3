/*
 * The NATS clients (v3) publish the types of `@nats-io/nats-core` through package `exports` only (its `types`
 * field names a file that does not exist), which this repository's `moduleResolution: node` does not read:
 * without these declarations every type of the clients that comes from the core (connections, headers,
 * messages) would be `any`. They point the two entry points at the files `exports` names. Remove them once the
 * repository resolves modules as `node16`/`bundler`.
 */
declare module '@nats-io/nats-core' {
  export * from '@nats-io/nats-core/lib/mod';
}

declare module '@nats-io/nats-core/internal' {
  export * from '@nats-io/nats-core/lib/internal_mod';
}
