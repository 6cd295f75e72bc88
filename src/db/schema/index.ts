export * from './audit';
export * from './sessions';
export * from './users';
