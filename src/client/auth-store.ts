import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Credentials of the CLI in ~/.kubegram/auth.json: directory 0700, file 0600, rewritten
 * atomically-enough (write then chmod) and re-chmodded on every save in case someone loosened it.
 */
export interface StoredUser {
  id: string;
  email: string;
  name: string;
  role: string;
}

/**
 * When the login itself (the PAT of `login --password`, the device login's refresh family) was
 * issued and ends, epoch milliseconds: the CLI renews it shortly before the end. Absent for a
 * token stored with `login --token`, which its owner manages.
 */
export interface StoredRenewal {
  issuedAt: number;
  expiresAt: number;
}

export type StoredAuth =
  | { apiUrl: string; type: 'pat'; token: string; user?: StoredUser; renewal?: StoredRenewal }
  | {
      apiUrl: string;
      type: 'oauth';
      token: string;
      refreshToken: string;
      /** Epoch milliseconds when the access token expires. */
      expiresAt: number;
      user?: StoredUser;
      renewal?: StoredRenewal;
    };

export function authFilePath(home = homedir()): string {
  return join(home, '.kubegram', 'auth.json');
}

export function saveAuth(auth: StoredAuth, file = authFilePath()): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileSync(file, `${JSON.stringify(auth, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function loadAuth(file = authFilePath()): StoredAuth | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as StoredAuth;
    if (typeof parsed?.token !== 'string' || typeof parsed.apiUrl !== 'string') return null;
    if (parsed.type === 'oauth' && typeof parsed.refreshToken !== 'string') return null;
    return parsed;
  } catch {
    return null;
  }
}

export function removeAuth(file = authFilePath()): boolean {
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}

export function isAuthenticated(file = authFilePath()): boolean {
  return loadAuth(file) !== null;
}
