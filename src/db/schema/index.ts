export * from './audit';
export * from './sessions';
export * from './tenancy';
export * from './users';
