export * from './cost-estimator';
export * from './agent-compute-props';
