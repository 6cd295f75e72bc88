/**
 * The typed client of the Kubegram API. The CLI reaches the server only through here; the
 * helper names are those of the earlier product's client.
 */

export * from './api';
export {
  authFilePath,
  isAuthenticated,
  loadAuth,
  removeAuth,
  type StoredAuth,
  saveAuth,
} from './auth-store';
export { ClientError, EXIT, NotAuthenticatedError, UnreachableError } from './errors';
export { apiRequest, type ClientOptions, getAuthToken, refreshStoredAuth } from './http';
