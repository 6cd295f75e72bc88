/**
 * The typed client of the Kubegram API. The CLI reaches the server only through here, and only
 * these files know its HTTP paths; the helper names are those of the earlier product's client.
 */

export * from './account';
export * from './api';
export {
  authFilePath,
  isAuthenticated,
  loadAuth,
  removeAuth,
  type StoredAuth,
  saveAuth,
} from './auth-store';
export {
  ClientError,
  EXIT,
  EXIT_CODE_HELP,
  NotAuthenticatedError,
  UnreachableError,
} from './errors';
export {
  apiRequest,
  type ClientOptions,
  dueForRenewal,
  getAuthToken,
  refreshStoredAuth,
  renewStoredAuth,
} from './http';
export * from './jobs';
export * from './people';
