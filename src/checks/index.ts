export * from './xray-tracing-checks';
export * from './xray-tracing-aspect';
export * from './xray-tracing-rule';
