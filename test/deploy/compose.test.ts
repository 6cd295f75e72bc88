import { describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { ROOT, readRepoFile } from './dockerfile';
import { configProblems, dummySecret, SHUTDOWN_DEFAULTS_MS, unknownVariables } from './environment';

/**
 * docker-compose.yml: the app with PostgreSQL and Redis, started in health-checked order, its
 * secrets only ever from the operator's environment. `docker compose config` runs where the
 * Compose plugin is installed; it is not installable on these machines, so that one test skips
 * (saying so) even under CI. Everything else is checked from the file itself.
 */

const compose = parse(readRepoFile('docker-compose.yml'));
const app = compose.services.app;

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` against `vars`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name, op, arg) => {
    const set = vars[name];
    if (set) return set;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? arg : '';
  });
}

const secrets = {
  POSTGRES_PASSWORD: dummySecret().replace(/[^a-zA-Z0-9]/g, 'x'),
  JWT_SECRET: dummySecret(),
  GLOBAL_ENCRYPTION_KEY: dummySecret(),
};

describe('docker-compose.yml', () => {
  test('app, PostgreSQL and Redis; the app waits for both to be healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'postgres', 'redis']);
    expect(app.build).toBe('.');
    for (const dependency of ['postgres', 'redis']) {
      expect(app.depends_on[dependency]).toEqual({ condition: 'service_healthy' });
      expect(compose.services[dependency].healthcheck.test.length).toBeGreaterThan(0);
    }
  });

  test('serves on :8090, the default PORT, and allows the drain its time', () => {
    const port = loadConfig({ NODE_ENV: 'test' }).port;
    expect(app.ports).toEqual([`\${KUBEGRAM_PORT:-${port}}:${port}`]);
    expect(interpolate(app.ports[0], {})).toBe(`${port}:${port}`);
    // Docker kills the container after stop_grace_period: it must cover the server's drain.
    const drainMs = (['SHUTDOWN_DELAY_MS', 'SHUTDOWN_TIMEOUT_MS'] as const).reduce(
      (sum, name) => sum + Number(app.environment[name] ?? SHUTDOWN_DEFAULTS_MS[name]),
      0,
    );
    expect(app.stop_grace_period).toMatch(/^\d+s$/);
    expect(Number.parseInt(app.stop_grace_period, 10) * 1000).toBeGreaterThan(drainMs);
  });

  test('no secret is committed: each one is a required variable of the operator', () => {
    const environment = [app.environment, compose.services.postgres.environment];
    for (const [name, value] of environment.flatMap((e) => Object.entries(e))) {
      if (!/SECRET|PASSWORD|KEY|TOKEN|DATABASE_URL/.test(name)) continue;
      expect({ name, value }).toEqual({ name, value: expect.stringMatching(/\$\{[A-Z_]+:[?-]/) });
    }
    expect(() => interpolate(app.environment.JWT_SECRET, {})).toThrow('JWT_SECRET');
  });

  test('the app environment is known to src/config.ts and accepted in production', () => {
    const env = Object.fromEntries(
      Object.entries(app.environment as Record<string, string>).map(([k, v]) => [
        k,
        interpolate(String(v), secrets),
      ]),
    );
    expect(unknownVariables(Object.keys(env))).toEqual([]);
    expect(env.NODE_ENV).toBe('production');
    expect(configProblems(env)).toEqual([]);
    expect(new URL(env.DATABASE_URL!).password).toBe(secrets.POSTGRES_PASSWORD);
  });

  const composeVersion = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const hasCompose = composeVersion.status === 0;
  if (!hasCompose) {
    console.log(
      '[skip] docker compose config: the Docker Compose plugin is not installed (not installable on these machines; skipped under CI too)',
    );
  }
  test.skipIf(!hasCompose)('docker compose config accepts the file', () => {
    const result = spawnSync('docker', ['compose', 'config', '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...secrets },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
