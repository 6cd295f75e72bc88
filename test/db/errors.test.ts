import { describe, expect, test } from 'bun:test';
import { SQL } from 'bun';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/client';
import { isDatabaseUnavailable, sqlStateOf } from '../../src/db/errors';

/** The one classifier of database errors, on the shapes the drivers really produce. */

/** Drizzle wraps a driver error as `cause` of its own "Failed query" error. */
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: insert …'), { cause });

describe('database error classification', () => {
  test('Bun.SQL: nothing listening at the address', async () => {
    const refused = new SQL({ url: 'postgres://u@127.0.0.1:1/db', max: 1, connectionTimeout: 1 });
    const err = await refused`select 1`.catch((e) => e);
    expect(err.code).toBe('ERR_POSTGRES_CONNECTION_REFUSED');
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isDatabaseUnavailable(wrapped(err))).toBe(true);
    await refused.close();
  });

  test('server states: terminated, shutting down, starting, connection exceptions', () => {
    for (const errno of ['57P01', '57P02', '57P03', '53300', '53100', '25006', '08006', '08001']) {
      const bunSql = { code: 'ERR_POSTGRES_SERVER_ERROR', errno };
      expect(isDatabaseUnavailable(wrapped(bunSql))).toBe(true);
      // PGlite and the `postgres` package put the SQLSTATE in `code`.
      expect(isDatabaseUnavailable(wrapped({ code: errno }))).toBe(true);
    }
    for (const code of [
      'CONNECTION_CLOSED',
      'CONNECTION_ENDED',
      'ECONNRESET',
      'EPIPE',
      'CONNECT_TIMEOUT',
    ]) {
      expect(isDatabaseUnavailable(wrapped({ code }))).toBe(true);
    }
  });

  test('errors of the request or of our code are not "unavailable"', () => {
    for (const errno of ['23505', '22021', '42P01', '40001', 'XX000']) {
      expect(isDatabaseUnavailable(wrapped({ code: 'ERR_POSTGRES_SERVER_ERROR', errno }))).toBe(
        false,
      );
    }
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  test('SQLSTATE from every shape; socket codes are not mistaken for one', () => {
    expect(sqlStateOf(wrapped({ code: 'ERR_POSTGRES_SERVER_ERROR', errno: '23505' }))).toBe(
      '23505',
    );
    expect(sqlStateOf(wrapped({ code: '22P05' }))).toBe('22P05');
    expect(sqlStateOf({ code: 'EPIPE', errno: -32 })).toBeUndefined();
    expect(sqlStateOf(new Error('plain'))).toBeUndefined();
  });

  test('a closed embedded database counts as unavailable', async () => {
    const database = await openDatabase({});
    await database.close();
    const err = await database.ping().catch((e) => e);
    expect(isDatabaseUnavailable(err)).toBe(true);
  });
});

describe('shutdown settings', () => {
  const base = { APP_URL: 'https://k.example.com', CORS_ORIGIN: 'https://k.example.com' };
  const secrets = {
    JWT_SECRET: 'Zq8vW2nR5tY7uK1mP4sX9cB3dF6gH0jL',
    GLOBAL_ENCRYPTION_KEY: 'Xa7Lm2Qp9Rt4Vw6Yz1Bc3Df5Gh8Jk0Ns',
  };
  test('delay 5 s in production and 0 in development; timeout 20 s; both settable', () => {
    const production = loadConfig({ NODE_ENV: 'production', ...base, ...secrets });
    expect([production.shutdownDelayMs, production.shutdownTimeoutMs]).toEqual([5000, 20_000]);
    const development = loadConfig({ NODE_ENV: 'test' });
    expect([development.shutdownDelayMs, development.shutdownTimeoutMs]).toEqual([0, 20_000]);
    const set = loadConfig({
      NODE_ENV: 'test',
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '900',
    });
    expect([set.shutdownDelayMs, set.shutdownTimeoutMs]).toEqual([0, 900]);
    expect(() => loadConfig({ NODE_ENV: 'test', SHUTDOWN_DELAY_MS: '-1' })).toThrow(
      'SHUTDOWN_DELAY_MS',
    );
  });
});
