export * from './tracing-config';
export * from './cost-estimator';
