import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataDirError } from './db/data-dir';

/**
 * Configuration is parsed once at start-up from the environment. Nothing else in the
 * code reads process.env: everything receives the parsed Config through its dependencies,
 * which is what lets two app instances with different settings live in one test process.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
/** Seconds in a unit of a duration like `90d` (CLI_TOKEN_TTL). */
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds, or a whole number with a unit: `90d`, `12h`, `30m`, `45s`. */
const duration = (def: string, minSeconds: number, maxSeconds: number) =>
  z
    .string()
    .default(def)
    .transform((value, ctx) => {
      const match = /^([1-9][0-9]*)([smhd]?)$/.exec(value.trim());
      const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] || 's']! : Number.NaN;
      if (!Number.isSafeInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) {
        ctx.addIssue({
          code: 'custom',
          message: `expected seconds or a duration like 90d, 12h, 30m (${minSeconds} s to ${maxSeconds / 86_400} days), got "${value}"`,
        });
        return z.NEVER;
      }
      return seconds;
    });
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(8090, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  APP_URL: z.url().optional(),
  CORS_ORIGIN: optionalString,
  FRONTEND_URL: optionalString,
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalString,
  DATABASE_POOL_MAX: int(10, 1, 200),
  /** Bounds opening a connection, and so how long a request waits while PostgreSQL is away. */
  DATABASE_CONNECT_TIMEOUT_MS: int(1500, 100, 60_000),
  REDIS_URL: optionalString,
  REDIS_HOST: optionalString,
  REDIS_PORT: int(6379, 1, 65535),
  REDIS_PASSWORD: optionalString,
  REDIS_DB: int(0, 0, 15),
  REDIS_KEY_PREFIX: z.string().default('kubegram:'),
  /** Redis Sentinel: comma-separated host:port of the sentinels (instead of REDIS_URL/REDIS_HOST). */
  REDIS_SENTINELS: optionalString,
  REDIS_SENTINEL_NAME: optionalString,
  /** The sentinels' own password; the data nodes' password is REDIS_PASSWORD. */
  REDIS_SENTINEL_PASSWORD: optionalString,
  ENABLE_HA: bool.default(false),
  JWT_SECRET: optionalString,
  GLOBAL_ENCRYPTION_KEY: optionalString,
  /** Comma-separated earlier keys, still accepted for decryption during a key rotation. */
  GLOBAL_ENCRYPTION_KEY_PREVIOUS: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL: int(24 * 3600, 60), // seconds
  SESSION_IDLE_TIMEOUT: int(30 * 60, 60), // seconds
  PASSWORD_MIN_LENGTH: int(12, 8, 256),
  BODY_LIMIT_BYTES: int(1024 * 1024, 1024, 100 * 1024 * 1024),
  ALLOW_REGISTRATION: bool.default(true),
  TRUST_PROXY: int(0, 0, 10),
  RATE_LIMIT_MAX_REQUESTS: int(1000, 1),
  RATE_LIMIT_WINDOW_MS: int(60_000, 1000),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1),
  LOGIN_MAX_FAILURES_PER_IP: int(20, 1),
  LOGIN_FAILURE_WINDOW_SECONDS: int(15 * 60, 1),
  REGISTER_MAX_PER_IP: int(10, 1),
  REGISTER_WINDOW_SECONDS: int(3600, 1),
  /** After SIGTERM, keep serving this long (readiness red) so load balancers stop sending. */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).optional(),
  SHUTDOWN_TIMEOUT_MS: int(20_000, 0),
  /** Bearer token Prometheus presents at GET /metrics; in production /metrics is off without it. */
  METRICS_TOKEN: optionalString,
  /** Anonymous callers may list company ids and names (issue #4). */
  PUBLIC_COMPANY_DIRECTORY: bool.default(true),
  /** smtp://[user:pass@]host[:port] or smtps://…; when set, invitations are also mailed. */
  SMTP_URL: optionalString,
  SMTP_FROM: optionalString,
  // Tokens for machines (issue #5).
  /** Access JWT signing: ES256 (default) or RS256. */
  JWT_SIGNING_ALG: z.enum(['ES256', 'RS256']).default('ES256'),
  JWT_RSA_MODULUS_LENGTH: int(2048, 2048, 8192),
  /** `aud` of access JWTs; defaults to APP_URL. */
  JWT_AUDIENCE: optionalString,
  ACCESS_TOKEN_TTL: int(15 * 60, 30, 24 * 3600), // seconds
  REFRESH_TOKEN_TTL: int(7 * 24 * 3600, 60), // seconds per login; rotation keeps it
  REFRESH_GRACE_SECONDS: int(10, 0, 300),
  /** Lifetime of a CLI login (cli-login token, device login); the CLI renews before the end. */
  CLI_TOKEN_TTL: duration('90d', 60, 3650 * 86_400),
  // Sign-in providers (issue #3). A provider is on when its client id and secret are set.
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GITLAB_CLIENT_ID: optionalString,
  GITLAB_CLIENT_SECRET: optionalString,
  GITLAB_URL: optionalString,
  OKTA_CLIENT_ID: optionalString,
  OKTA_CLIENT_SECRET: optionalString,
  OKTA_DOMAIN: optionalString,
  /** Comma-separated env provider ids that may create accounts when ALLOW_REGISTRATION=false. */
  OAUTH_ALLOW_SIGNUP: optionalString,
  /** Comma-separated env provider ids whose verified emails link to existing accounts. */
  OAUTH_TRUST_EMAIL: optionalString,
  OAUTH_HTTP_TIMEOUT_MS: int(5000, 50, 60_000),
  OAUTH_MAX_RESPONSE_BYTES: int(512 * 1024, 1024, 16 * 1024 * 1024),
  /** Where a sign-in lands when no (acceptable) redirect was asked for. */
  LOGIN_REDIRECT_URL: optionalString,
  /** Test-only stand-ins for fixed upstream endpoints; refused outside NODE_ENV=test. */
  TEST_GITHUB_URL: optionalString,
  TEST_GOOGLE_ISSUER: optionalString,
  // Code generation (issue #6). KUBERAG_URL unset: the built-in generator serves every job.
  KUBERAG_URL: optionalString.pipe(z.url().optional()),
  KUBERAG_WS_URL: optionalString.pipe(z.url().optional()),
  KUBERAG_TIMEOUT_MS: int(10_000, 50, 300_000),
  KUBERAG_RETRY_ATTEMPTS: int(5, 0, 100),
  KUBERAG_RETRY_DELAY_MS: int(2000, 0, 600_000),
  KUBERAG_BREAKER_THRESHOLD: int(5, 1, 1000),
  KUBERAG_BREAKER_COOLDOWN_MS: int(30_000, 50, 3_600_000),
  GRAPH_MAX_NODES: int(500, 1, 100_000),
  CODEGEN_TOKEN_ESTIMATE: int(1000, 1),
  CODEGEN_LEASE_MS: int(15_000, 100, 600_000),
  CODEGEN_SWEEP_MS: int(5000, 20, 600_000),
  CODEGEN_POLL_MS: int(5000, 20, 600_000),
  WS_PING_INTERVAL_MS: int(30_000, 50, 600_000),
  WS_TICKET_TTL_SECONDS: int(60, 5, 3600),
});

export type Env = z.infer<typeof envSchema>;
/** Every variable the server reads; the README documents each (test/ops/readme.test.ts). */
export const ENV_VARIABLES = Object.keys(envSchema.shape);

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  appUrl: string;
  /** Origins allowed for CORS, CSRF and post-login redirects. */
  allowedOrigins: string[];
  /** Development only: any http://localhost:* origin is allowed too. */
  allowLocalhostOrigins: boolean;
  dataDir: string;
  databaseUrl?: string;
  databasePoolMax: number;
  databaseConnectTimeoutMs: number;
  redis?: RedisConfig;
  redisKeyPrefix: string;
  jwtSecret: string;
  encryptionKey: string;
  previousEncryptionKeys: string[];
  logLevel: Env['LOG_LEVEL'];
  session: { ttlSeconds: number; idleSeconds: number; cookieName: string; secureCookie: boolean };
  passwordMinLength: number;
  bodyLimitBytes: number;
  allowRegistration: boolean;
  trustProxy: number;
  rateLimit: {
    maxRequests: number;
    windowMs: number;
    loginPerAccount: number;
    loginPerIp: number;
    loginWindowSeconds: number;
    registerPerIp: number;
    registerWindowSeconds: number;
  };
  /** SIGTERM → readiness 503, still serving for this long (default 5 s in production, else 0). */
  shutdownDelayMs: number;
  /** After the delay: draining requests, then flushing buffered writes, within this long. */
  shutdownTimeoutMs: number;
  /** GET /metrics: off (404), open, or behind a Bearer token. */
  metrics: { enabled: boolean; token: string | undefined };
  codegen: CodegenConfig;
  /** Anonymous callers may list companies (id and name only). */
  publicCompanyDirectory: boolean;
  /** Outgoing mail (invitations); undefined when SMTP_URL is unset. */
  smtp?: { url: string; from: string; timeoutMs: number };
  /** Machine tokens: access JWTs and refresh tokens (issue #5). */
  tokens: {
    signingAlgorithm: 'ES256' | 'RS256';
    rsaModulusLength: number;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    refreshGraceSeconds: number;
    /** Lifetime of a CLI login: the cli-login token and the device login's refresh family. */
    cliTtlSeconds: number;
  };
  oauth: OAuthEnvConfig;
}

/**
 * One Redis (`url`, or `host` + `port`), or a Sentinel-watched primary/replica group
 * (`sentinel`), which the connections follow through failovers. `password` and `db` are the
 * data nodes' in both modes.
 */
export interface RedisConfig {
  url?: string;
  host?: string;
  port: number;
  password?: string;
  db: number;
  sentinel?: RedisSentinelConfig;
}

export interface RedisSentinelConfig {
  sentinels: Array<{ host: string; port: number }>;
  /** The primary's group name, as in `sentinel monitor <name> …`. */
  name: string;
  password?: string;
}

/** Sign-in provider settings read from the environment (see src/services/oauth/env-providers.ts). */
export interface OAuthEnvConfig {
  github?: { clientId: string; clientSecret: string };
  google?: { clientId: string; clientSecret: string };
  gitlab?: { clientId: string; clientSecret: string; url: string };
  okta?: { clientId: string; clientSecret: string; domain: string };
  allowSignup: string[];
  trustEmail: string[];
  httpTimeoutMs: number;
  maxResponseBytes: number;
  defaultRedirect: string;
  /** Only ever set when NODE_ENV=test. */
  testEndpoints?: { githubUrl?: string; googleIssuer?: string };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const MIN_SECRET_LENGTH = 32;
const WEAK_SECRETS = /^(changeme|secret|password|your-|prod-|test|example|default)/i;

function secretProblem(name: string, value: string | undefined): string | undefined {
  if (!value) return `${name} is required in production`;
  if (value.length < MIN_SECRET_LENGTH)
    return `${name} must be at least ${MIN_SECRET_LENGTH} characters`;
  if (WEAK_SECRETS.test(value) || new Set(value).size < 8)
    return `${name} looks like a placeholder`;
  return undefined;
}

/** Development secrets are generated once and kept under DATA_DIR so sessions survive restarts. */
function persistedDevSecret(dataDir: string, name: string): string {
  const file = join(dataDir, 'secrets', name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomBytes(32).toString('base64url');
  try {
    mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(file, value, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (err) {
    throw new ConfigError([new DataDirError(dataDir, err).message]);
  }
  return value;
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`),
    );
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const inMemoryTestSecrets = env.NODE_ENV === 'test';

  let jwtSecret = env.JWT_SECRET;
  let encryptionKey = env.GLOBAL_ENCRYPTION_KEY;
  if (isProduction) {
    for (const [name, value] of [
      ['JWT_SECRET', jwtSecret],
      ['GLOBAL_ENCRYPTION_KEY', encryptionKey],
    ] as const) {
      const problem = secretProblem(name, value);
      if (problem) problems.push(problem);
    }
    if (!env.APP_URL) problems.push('APP_URL is required in production');
    if (!env.CORS_ORIGIN) problems.push('CORS_ORIGIN is required in production');
  } else if (inMemoryTestSecrets) {
    jwtSecret ??= randomBytes(32).toString('base64url');
    encryptionKey ??= randomBytes(32).toString('base64url');
  } else {
    jwtSecret ??= persistedDevSecret(env.DATA_DIR, 'jwt_secret');
    encryptionKey ??= persistedDevSecret(env.DATA_DIR, 'encryption_key');
  }
  if (env.NODE_ENV !== 'test') {
    for (const name of ['TEST_GITHUB_URL', 'TEST_GOOGLE_ISSUER'] as const) {
      if (env[name]) problems.push(`${name} is only allowed when NODE_ENV=test`);
    }
  }
  for (const name of ['GITHUB', 'GOOGLE', 'GITLAB', 'OKTA'] as const) {
    const id = env[`${name}_CLIENT_ID`];
    const secret = env[`${name}_CLIENT_SECRET`];
    if (Boolean(id) !== Boolean(secret)) {
      problems.push(`${name}_CLIENT_ID and ${name}_CLIENT_SECRET must be set together`);
    }
  }
  if (env.OKTA_CLIENT_ID && !env.OKTA_DOMAIN)
    problems.push('OKTA_DOMAIN is required with OKTA_CLIENT_ID');
  if (env.SMTP_URL && !/^smtps?:\/\/[^/]+/.test(env.SMTP_URL)) {
    problems.push('SMTP_URL must look like smtp://host:port or smtps://user:pass@host:port');
  }
  if (env.METRICS_TOKEN) {
    const problem = secretProblem('METRICS_TOKEN', env.METRICS_TOKEN);
    if (problem) problems.push(problem);
  }
  const sentinel = sentinelConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const appUrl = (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  const allowedOrigins = [
    ...new Set(
      [originOf(appUrl), originOf(env.CORS_ORIGIN), originOf(env.FRONTEND_URL)].filter(
        (o): o is string => Boolean(o),
      ),
    ),
  ];
  const redisConfigured = Boolean(env.REDIS_URL || env.REDIS_HOST || env.ENABLE_HA || sentinel);

  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    host: env.HOST,
    appUrl,
    allowedOrigins,
    allowLocalhostOrigins: !isProduction,
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databaseConnectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    redis: redisConfigured
      ? {
          url: env.REDIS_URL,
          host: env.REDIS_HOST ?? (env.REDIS_URL || sentinel ? undefined : '127.0.0.1'),
          port: env.REDIS_PORT,
          password: env.REDIS_PASSWORD,
          db: env.REDIS_DB,
          sentinel,
        }
      : undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    jwtSecret: jwtSecret!,
    encryptionKey: encryptionKey!,
    previousEncryptionKeys: (env.GLOBAL_ENCRYPTION_KEY_PREVIOUS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    logLevel: env.LOG_LEVEL,
    session: {
      ttlSeconds: env.SESSION_TTL,
      idleSeconds: env.SESSION_IDLE_TIMEOUT,
      cookieName: isProduction ? '__Host-kubegram_session' : 'kubegram_session',
      secureCookie: isProduction,
    },
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    allowRegistration: env.ALLOW_REGISTRATION,
    trustProxy: env.TRUST_PROXY,
    rateLimit: {
      maxRequests: env.RATE_LIMIT_MAX_REQUESTS,
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      loginPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginPerIp: env.LOGIN_MAX_FAILURES_PER_IP,
      loginWindowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
      registerPerIp: env.REGISTER_MAX_PER_IP,
      registerWindowSeconds: env.REGISTER_WINDOW_SECONDS,
    },
    shutdownDelayMs: env.SHUTDOWN_DELAY_MS ?? (isProduction ? 5000 : 0),
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    metrics: { enabled: Boolean(env.METRICS_TOKEN) || !isProduction, token: env.METRICS_TOKEN },
    codegen: codegenConfig(env),
    publicCompanyDirectory: env.PUBLIC_COMPANY_DIRECTORY,
    smtp: env.SMTP_URL
      ? {
          url: env.SMTP_URL,
          from: env.SMTP_FROM ?? `kubegram@${new URL(appUrl).hostname}`,
          timeoutMs: 10_000,
        }
      : undefined,
    tokens: {
      signingAlgorithm: env.JWT_SIGNING_ALG,
      rsaModulusLength: env.JWT_RSA_MODULUS_LENGTH,
      audience: env.JWT_AUDIENCE ?? appUrl,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL,
      refreshGraceSeconds: env.REFRESH_GRACE_SECONDS,
      cliTtlSeconds: env.CLI_TOKEN_TTL,
    },
    oauth: oauthEnvConfig(env),
  };
}

const idList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** `host:port` or `[v6-address]:port`; undefined when the entry is not one. */
function hostPort(entry: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(entry);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * Sentinel mode: REDIS_SENTINELS with REDIS_SENTINEL_NAME, never mixed with a single Redis
 * address (which of the two would win is what an operator should not have to guess).
 */
function sentinelConfig(env: Env, problems: string[]): RedisSentinelConfig | undefined {
  if (!env.REDIS_SENTINELS) {
    for (const name of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD'] as const) {
      if (env[name]) problems.push(`${name} is only used with REDIS_SENTINELS`);
    }
    return undefined;
  }
  const entries = idList(env.REDIS_SENTINELS);
  const sentinels = entries.map(hostPort).filter((s) => s !== undefined);
  const found = entries
    .filter((entry) => !hostPort(entry))
    .map((entry) => `REDIS_SENTINELS: "${entry}" is not host:port`);
  if (entries.length === 0) found.push('REDIS_SENTINELS lists no host:port');
  if (!env.REDIS_SENTINEL_NAME) {
    found.push(
      "REDIS_SENTINEL_NAME (the monitored primary's name) is required with REDIS_SENTINELS",
    );
  }
  if (env.REDIS_URL || env.REDIS_HOST) {
    found.push('Set either REDIS_SENTINELS or REDIS_URL/REDIS_HOST, not both');
  }
  problems.push(...found);
  if (found.length > 0 || !env.REDIS_SENTINEL_NAME) return undefined;
  return { sentinels, name: env.REDIS_SENTINEL_NAME, password: env.REDIS_SENTINEL_PASSWORD };
}

function oauthEnvConfig(env: Env): OAuthEnvConfig {
  const pair = (id?: string, secret?: string) =>
    id && secret ? { clientId: id, clientSecret: secret } : undefined;
  const github = pair(env.GITHUB_CLIENT_ID, env.GITHUB_CLIENT_SECRET);
  const google = pair(env.GOOGLE_CLIENT_ID, env.GOOGLE_CLIENT_SECRET);
  const gitlab = pair(env.GITLAB_CLIENT_ID, env.GITLAB_CLIENT_SECRET);
  const okta = pair(env.OKTA_CLIENT_ID, env.OKTA_CLIENT_SECRET);
  const isTest = env.NODE_ENV === 'test';
  return {
    github,
    google,
    gitlab: gitlab && { ...gitlab, url: env.GITLAB_URL ?? 'https://gitlab.com' },
    okta: okta && env.OKTA_DOMAIN ? { ...okta, domain: env.OKTA_DOMAIN } : undefined,
    allowSignup: idList(env.OAUTH_ALLOW_SIGNUP),
    trustEmail: idList(env.OAUTH_TRUST_EMAIL),
    httpTimeoutMs: env.OAUTH_HTTP_TIMEOUT_MS,
    maxResponseBytes: env.OAUTH_MAX_RESPONSE_BYTES,
    defaultRedirect: env.LOGIN_REDIRECT_URL ?? env.FRONTEND_URL ?? '/',
    testEndpoints:
      isTest && (env.TEST_GITHUB_URL || env.TEST_GOOGLE_ISSUER)
        ? { githubUrl: env.TEST_GITHUB_URL, googleIssuer: env.TEST_GOOGLE_ISSUER }
        : undefined,
  };
}

/** Code-generation gateway settings (issue #6); see src/clients/kuberag/schema.graphql. */
export interface CodegenConfig {
  kuberag?: {
    url: string;
    wsUrl?: string;
    timeoutMs: number;
    retryAttempts: number;
    retryDelayMs: number;
    breakerThreshold: number;
    breakerCooldownMs: number;
  };
  graphMaxNodes: number;
  /** Tokens reserved when a KubeRAG job is submitted, settled against reported usage. */
  tokenEstimate: number;
  /** How long a job's tracking lease lasts without renewal before another instance takes over. */
  leaseMs: number;
  sweepMs: number;
  /** Polling interval when a KubeRAG subscription cannot be kept up. */
  pollMs: number;
  wsPingIntervalMs: number;
  wsTicketTtlSeconds: number;
}

function codegenConfig(env: Env): CodegenConfig {
  return {
    kuberag: env.KUBERAG_URL
      ? {
          url: env.KUBERAG_URL,
          wsUrl: env.KUBERAG_WS_URL,
          timeoutMs: env.KUBERAG_TIMEOUT_MS,
          retryAttempts: env.KUBERAG_RETRY_ATTEMPTS,
          retryDelayMs: env.KUBERAG_RETRY_DELAY_MS,
          breakerThreshold: env.KUBERAG_BREAKER_THRESHOLD,
          breakerCooldownMs: env.KUBERAG_BREAKER_COOLDOWN_MS,
        }
      : undefined,
    graphMaxNodes: env.GRAPH_MAX_NODES,
    tokenEstimate: env.CODEGEN_TOKEN_ESTIMATE,
    leaseMs: env.CODEGEN_LEASE_MS,
    sweepMs: env.CODEGEN_SWEEP_MS,
    pollMs: env.CODEGEN_POLL_MS,
    wsPingIntervalMs: env.WS_PING_INTERVAL_MS,
    wsTicketTtlSeconds: env.WS_TICKET_TTL_SECONDS,
  };
}
