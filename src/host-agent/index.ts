export * from './xray-host-agent';
