export * from './audit';
export * from './oauth';
export * from './sessions';
export * from './tenancy';
export * from './users';
export * from './tokens';
