import { describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  test('defaults for a laptop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-config-'));
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.port).toBe(8090);
    expect(config.env).toBe('development');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redis).toBeUndefined();
    expect(config.session).toMatchObject({
      ttlSeconds: 86400,
      idleSeconds: 1800,
      cookieName: 'kubegram_session',
      secureCookie: false,
    });
    expect(config.rateLimit).toMatchObject({
      maxRequests: 1000,
      windowMs: 60000,
      loginPerAccount: 5,
      loginPerIp: 20,
      registerPerIp: 10,
    });
    expect(config.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.passwordMinLength).toBe(12);
  });

  test('development secrets are generated once and kept under DATA_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-config-'));
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.jwtSecret).toHaveLength(43);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.encryptionKey).toBe(first.encryptionKey);
    const file = join(dir, 'secrets', 'jwt_secret');
    expect(readFileSync(file, 'utf8')).toBe(first.jwtSecret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('production refuses to start with one message naming every problem', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'changeme', DATA_DIR: '/nonexistent' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('JWT_SECRET must be at least 32 characters');
    expect(message).toContain('GLOBAL_ENCRYPTION_KEY is required in production');
    expect(message).toContain('APP_URL is required in production');
    expect(message).toContain('CORS_ORIGIN is required in production');
    expect(existsSync('/nonexistent/secrets')).toBe(false);
  });

  test('production refuses placeholder secrets', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        APP_URL: 'https://k.example.com',
        CORS_ORIGIN: 'https://ui.example.com',
        JWT_SECRET: 'prod-jwt-secret-prod-jwt-secret-prod',
        GLOBAL_ENCRYPTION_KEY: 'a'.repeat(40),
      }),
    ).toThrow(
      /JWT_SECRET looks like a placeholder[\s\S]*GLOBAL_ENCRYPTION_KEY looks like a placeholder/,
    );
  });

  test('production: secure cookie with __Host- prefix', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      APP_URL: 'https://k.example.com',
      CORS_ORIGIN: 'https://ui.example.com',
      JWT_SECRET: 'r7Jq2vX9kLm4Np8Qs1Tu6Wy3Zb5Cd0Ef',
      GLOBAL_ENCRYPTION_KEY: 'Gh2Jk4Lm6Np8Qr0St3Uv5Wx7Yz9Ab1Cd',
    });
    expect(config.session.cookieName).toBe('__Host-kubegram_session');
    expect(config.session.secureCookie).toBe(true);
    expect(config.allowLocalhostOrigins).toBe(false);
    expect(config.allowedOrigins).toEqual(['https://k.example.com', 'https://ui.example.com']);
  });

  test('invalid values are named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ALLOW_REGISTRATION: 'maybe' })).toThrow(/ALLOW_REGISTRATION/);
    expect(() => loadConfig({ PASSWORD_MIN_LENGTH: '4' })).toThrow(/PASSWORD_MIN_LENGTH/);
  });

  test('Redis is configured by REDIS_URL, REDIS_HOST or ENABLE_HA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-config-'));
    expect(loadConfig({ DATA_DIR: dir, REDIS_URL: 'redis://r:6379' }).redis?.url).toBe(
      'redis://r:6379',
    );
    expect(
      loadConfig({ DATA_DIR: dir, REDIS_HOST: 'r', REDIS_PORT: '6380', REDIS_DB: '2' }).redis,
    ).toMatchObject({ host: 'r', port: 6380, db: 2 });
    expect(loadConfig({ DATA_DIR: dir, ENABLE_HA: 'true' }).redis).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
    });
  });

  test('Redis Sentinel: REDIS_SENTINELS with REDIS_SENTINEL_NAME and passwords', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-config-'));
    const redis = loadConfig({
      DATA_DIR: dir,
      REDIS_SENTINELS: 'sentinel-0.redis:26379, 10.0.0.7:26380,[fd00::1]:26379',
      REDIS_SENTINEL_NAME: 'mymaster',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pass',
      REDIS_PASSWORD: 'data-pass',
      REDIS_DB: '3',
    }).redis;
    expect(redis).toEqual({
      url: undefined,
      host: undefined,
      port: 6379,
      password: 'data-pass',
      db: 3,
      sentinel: {
        sentinels: [
          { host: 'sentinel-0.redis', port: 26379 },
          { host: '10.0.0.7', port: 26380 },
          { host: 'fd00::1', port: 26379 },
        ],
        name: 'mymaster',
        password: 'sentinel-pass',
      },
    });
  });

  test('Redis Sentinel settings that cannot work are refused, each named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-config-'));
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ DATA_DIR: dir, ...env });
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ REDIS_SENTINELS: 'a:26379,b,c:0,d:65536,:1' })).toEqual([
      'REDIS_SENTINELS: "b" is not host:port',
      'REDIS_SENTINELS: "c:0" is not host:port',
      'REDIS_SENTINELS: "d:65536" is not host:port',
      'REDIS_SENTINELS: ":1" is not host:port',
      "REDIS_SENTINEL_NAME (the monitored primary's name) is required with REDIS_SENTINELS",
    ]);
    expect(problems({ REDIS_SENTINELS: ' , ', REDIS_SENTINEL_NAME: 'm' })).toEqual([
      'REDIS_SENTINELS lists no host:port',
    ]);
    const both = 'Set either REDIS_SENTINELS or REDIS_URL/REDIS_HOST, not both';
    const sentinel = { REDIS_SENTINELS: 'a:26379', REDIS_SENTINEL_NAME: 'm' };
    expect(problems({ ...sentinel, REDIS_URL: 'redis://r:6379' })).toEqual([both]);
    expect(problems({ ...sentinel, REDIS_HOST: 'r' })).toEqual([both]);
    expect(problems({ REDIS_SENTINEL_NAME: 'm', REDIS_SENTINEL_PASSWORD: 'p' })).toEqual([
      'REDIS_SENTINEL_NAME is only used with REDIS_SENTINELS',
      'REDIS_SENTINEL_PASSWORD is only used with REDIS_SENTINELS',
    ]);
  });
});
