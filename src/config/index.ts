export * from './tracing-config';
