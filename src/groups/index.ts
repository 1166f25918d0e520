export * from './filter-expression';
export * from './trace-group';
