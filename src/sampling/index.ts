export * from './filter-expression';
export * from './sampling-rule';
export * from './trace-group';
