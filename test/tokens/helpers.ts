import { call } from '../helpers/http';
import { freePort, type PrivateRedis, startPrivateRedis } from '../helpers/private-redis';
import type { SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app';

export interface LiveApp {
  t: TestApp;
  base: string;
  close(): Promise<void>;
}

/** The app behind a real listening socket, with APP_URL (the JWT issuer) set to its address. */
export async function startLiveApp(options: TestAppOptions = {}): Promise<LiveApp> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ ...options, env: { APP_URL: base, ...options.env } });
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    fetch: (request, srv) => t.instance.app.fetch(request, { server: srv }),
    websocket: t.instance.websocket as never,
  });
  return {
    t,
    base,
    async close() {
      await server.stop(true);
      await t.close();
    },
  };
}

export interface Replicas {
  a: LiveApp;
  b: LiveApp;
  redis: PrivateRedis;
  close(): Promise<void>;
}

/**
 * Two replicas behind one load balancer: `origin`'s database, issuer (APP_URL) and encryption
 * key, and one private redis-server (which a test may kill). Guard with `missingRedisServer()`.
 */
export async function startReplicas(origin: TestApp, prefix: string): Promise<Replicas> {
  const redis = await startPrivateRedis();
  const shared = {
    database: origin.database,
    redisUrl: redis.url,
    redisPrefix: `${prefix}:${Date.now()}:`,
    env: { APP_URL: origin.config.appUrl, GLOBAL_ENCRYPTION_KEY: origin.config.encryptionKey },
  };
  const a = await startLiveApp(shared);
  const b = await startLiveApp(shared);
  return {
    a,
    b,
    redis,
    async close() {
      await a.close();
      await b.close();
      await redis.kill();
    },
  };
}

/** Form-encoded POST, as OAuth clients send it. */
export function form(t: TestApp, path: string, params: Record<string, string>, ip?: string) {
  return call(t, 'POST', path, {
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ip,
  });
}

/** What the /device page does in a browser: open it with the code, then press a button. */
export async function answerDeviceCode(
  t: TestApp,
  user: SeededUser,
  userCode: string,
  action: 'approve' | 'deny' = 'approve',
) {
  const page = await call(t, 'GET', `/device?user_code=${encodeURIComponent(userCode)}`, {
    cookie: user.token,
  });
  if (page.status !== 200) throw new Error(`device page: ${page.status}`);
  const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(String(page.body))?.[1];
  if (!csrf) throw new Error('no csrf token on the device page');
  return call(t, 'POST', '/device', {
    cookie: user.token,
    body: new URLSearchParams({ user_code: userCode, csrf, action }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A whole device login without waiting for a polling interval (the first poll is immediate). */
export async function deviceLogin(t: TestApp, user: SeededUser, scope?: string) {
  const started = await form(t, '/oauth/device/code', {
    client_id: 'kubegram-cli',
    ...(scope ? { scope } : {}),
  });
  if (started.status !== 200) throw new Error(`device code: ${started.status}`);
  const answered = await answerDeviceCode(t, user, started.body.user_code);
  if (answered.status !== 200) throw new Error(`device answer: ${answered.status}`);
  const tokens = await form(t, '/oauth/token', {
    grant_type: DEVICE_GRANT,
    device_code: started.body.device_code,
    client_id: 'kubegram-cli',
  });
  if (tokens.status !== 200) throw new Error(`device token: ${JSON.stringify(tokens.body)}`);
  return tokens.body as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    token_type: string;
    scope: string;
  };
}
