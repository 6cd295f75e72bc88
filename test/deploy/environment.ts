import { randomBytes } from 'node:crypto';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../../src/config';

/**
 * What a deployment's environment must agree with: src/config.ts knows every variable it
 * sets, and loadConfig accepts it in production once each secret has a value.
 */

export function unknownVariables(names: Iterable<string>): string[] {
  const known = new Set(ENV_VARIABLES);
  return [...names].filter((name) => !known.has(name)).sort();
}

/** A value a production secret check accepts: long and random, like `openssl rand`. */
export const dummySecret = () => randomBytes(36).toString('base64url');

/** loadConfig's complaints about `env` (none: the server would start with it). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/**
 * Production defaults of SHUTDOWN_DELAY_MS and SHUTDOWN_TIMEOUT_MS as documented by issue #12
 * item 1, used where a deployment does not set them. Once src/config.ts parses both, read them
 * from loadConfig({ NODE_ENV: 'production', … }) instead.
 */
export const SHUTDOWN_DEFAULTS_MS = { SHUTDOWN_DELAY_MS: 5000, SHUTDOWN_TIMEOUT_MS: 20_000 };
