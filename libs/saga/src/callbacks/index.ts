export * from './callback-url.policy';
export * from './callback.signature';
export * from './callback.post';
