export * from './xray-tracing-aspect';
