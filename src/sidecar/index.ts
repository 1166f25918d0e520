export * from './tracing-options';
export * from './xray-agent';
export * from './xray-sidecar';
