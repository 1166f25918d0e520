export * from './sampling-rule';
