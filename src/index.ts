export * from './sidecar';
export * from './services';
export * from './sampling';
export * from './presets';
export * from './config';
export * from './checks';
