export * from './xray-agent';
export * from './xray-sidecar';
