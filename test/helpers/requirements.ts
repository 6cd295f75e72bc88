import { test } from 'bun:test';
import { existsSync } from 'node:fs';

/**
 * The one policy for tests that need something from outside the repository (a redis-server
 * binary, Chromium, kubectl…). On a developer's machine a missing requirement skips those tests
 * and prints why. Under CI (`CI=true`), where everything must be installed, it adds a failing
 * test carrying the reason instead: a missing service never counts as a pass.
 *
 * Pass the answer to `describe.skipIf` / `test.skipIf`, and keep the set-up (`beforeAll`) inside
 * the skipped `describe`: bun runs top-level hooks even when every test of the file is skipped.
 * Call it once per test file (the failing test is registered in the file that calls it).
 */
export function missing(requirement: string, available: boolean, whyNot: string): boolean {
  if (available) return false;
  const reason = `${requirement} is missing: ${whyNot}`;
  if (inCi()) {
    test(`requires ${requirement}`, () => {
      throw new Error(`${reason}. CI=true: the tests that need it must run here, not skip.`);
    });
  } else {
    console.warn(`[skip] ${reason}`);
  }
  return true;
}

function inCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/** The absolute path of `binary` on PATH, if there is one. */
export function onPath(binary: string): string | undefined {
  return Bun.which(binary) ?? undefined;
}

/** For tests that start (and kill) their own redis-server (`startPrivateRedis`). */
export function missingRedisServer(): boolean {
  return missing(
    'redis-server',
    onPath('redis-server') !== undefined,
    'no redis-server on PATH (Debian: apt-get install redis-server)',
  );
}

/** For tests that need a Redis: TEST_REDIS_URL, or else a private redis-server. */
export function missingRedis(): boolean {
  return missing(
    'Redis',
    Boolean(process.env.TEST_REDIS_URL) || onPath('redis-server') !== undefined,
    'TEST_REDIS_URL is unset and there is no redis-server on PATH to start a private one',
  );
}

/** Debian's Chromium, driven by playwright-core in test/e2e. */
export const CHROMIUM = '/usr/bin/chromium';

export function missingChromium(): boolean {
  return missing(
    'Chromium',
    existsSync(CHROMIUM),
    `no ${CHROMIUM} (Debian: apt-get install chromium)`,
  );
}
