export * from '../vocabulary/transient-fault.error';
