export * from './afirgen-tracing';
