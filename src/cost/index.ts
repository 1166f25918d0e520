export * from './cost-estimator';
