export * from './auto-instrumentation';
export * from './xray-agent';
export * from './xray-sidecar';
export * from './xray-agentless';
