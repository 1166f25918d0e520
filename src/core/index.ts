export * from './tracing-options';
