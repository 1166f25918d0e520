export * from './xray-tracing-checks';
export * from './xray-tracing-rule';
