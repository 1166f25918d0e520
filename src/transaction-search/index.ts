export * from './transaction-search';
