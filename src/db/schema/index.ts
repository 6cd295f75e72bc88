export * from './audit';
export * from './codegen';
export * from './mfa';
export * from './oauth';
export * from './sessions';
export * from './tenancy';
export * from './tokens';
export * from './users';
