import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { call } from '../helpers/http';
import {
  type PrivateSentinelGroup,
  sentinelMissingReason,
  startPrivateSentinelGroup,
} from '../helpers/private-sentinel';
import { missing } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import {
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-app';
import { waitFor } from '../helpers/wait';

/**
 * Two app instances on a private Redis Sentinel deployment (primary, replica, three sentinels),
 * sharing one database, while the primary is failed over under load: first a planned
 * `SENTINEL FAILOVER`, then the primary process killed. Nothing may fail, revocations must keep
 * crossing instances, and rate limits fall back to memory while no primary answers.
 */
const whyNot = sentinelMissingReason();
const noSentinel = missing('Redis Sentinel', whyNot === undefined, whyNot ?? '');

const ME = '/api/public/v1/auth/me';
const LOGIN = '/api/public/v1/auth/login';
const METRICS_TOKEN = randomBytes(24).toString('base64url');
/** Low, so a lockout shows after a few failures; both instances use the same. */
const LOGIN_LIMIT = 3;

let group: PrivateSentinelGroup | undefined;
let database: TestDatabase | undefined;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  if (noSentinel) return;
  group = await startPrivateSentinelGroup();
  database = await createTestDatabase();
  const shared = {
    database: database.handle,
    redisPrefix: `kgtest:sentinel:${Date.now()}:`,
    env: {
      ...group!.env,
      RATE_LIMIT_MAX_REQUESTS: '1000000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: String(LOGIN_LIMIT),
      METRICS_TOKEN,
    },
  };
  a = await createTestApp(shared);
  b = await createTestApp(shared);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.drop();
  await group?.close();
});

/** Authenticated reads and profile writes on both instances, as fast as they answer. */
function startLoad(users: SeededUser[], workers = 6) {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      const app = (i + w) % 2 === 0 ? a : b;
      const user = users[(i + w) % users.length]!;
      const res =
        i % 8 === 7
          ? await call(app, 'PATCH', `/api/public/v1/users/${user.id}`, {
              bearer: user.token,
              body: { name: `Load ${w}-${i}` },
            })
          : await call(app, 'GET', ME, { bearer: user.token });
      if (res.status === 200) ok++;
      else failed.push(`${res.status} ${JSON.stringify(res.body)}`);
      // Cached answers resolve in microtasks only: yield, or timers (and the test) starve.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const all = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    async stop() {
      running = false;
      await all;
      return { ok, failed };
    },
  };
}

/** A session ended on `from` (whose caches were warm on both) is refused by `to`; in ms. */
async function revocationDelay(from: TestApp, to: TestApp): Promise<number> {
  const user = await createUser(from);
  for (const app of [to, from, to]) {
    expect((await call(app, 'GET', ME, { bearer: user.token })).status).toBe(200);
  }
  expect(
    (await call(from, 'POST', '/api/public/v1/auth/logout', { bearer: user.token })).status,
  ).toBe(200);
  const started = performance.now();
  const status = await waitFor(
    async () => (await call(to, 'GET', ME, { bearer: user.token })).status,
    { until: (s) => s === 401, what: 'the revocation on the other instance' },
  );
  expect(status).toBe(401);
  return performance.now() - started;
}

/** Both instances' connections are back, on the primary the sentinels name, and trusted. */
async function bothOnPrimary(port: number) {
  for (const app of [a, b]) {
    const probe = await waitFor(() => app.store.probe(), {
      until: (p) => p.ok && p.address === `127.0.0.1:${port}`,
      timeoutMs: 10_000,
      what: `the store on the new primary 127.0.0.1:${port}`,
    });
    expect(probe).toMatchObject({
      mode: 'sentinel',
      ok: true,
      role: 'master',
      address: `127.0.0.1:${port}`,
      subscriberAddress: `127.0.0.1:${port}`,
    });
    expect(app.store.status()).toBe('connected');
  }
  // Invalidations are trusted again once the sentinels have surely converged.
  for (const app of [a, b]) {
    expect(
      await waitFor(() => app.store.invalidationReliable(), {
        timeoutMs: 10_000,
        what: 'pub/sub back',
      }),
    ).toBe(true);
  }
}

/** LOGIN_LIMIT wrong passwords for a fresh account, then one more: its status on `last`. */
async function lockoutAnswer(first: TestApp[], last: TestApp, ip: string) {
  const user = await createUser(a);
  const wrong = { email: user.email, password: 'not-the-password-9' };
  for (const app of first) {
    expect((await call(app, 'POST', LOGIN, { body: wrong, ip })).status).toBe(401);
  }
  return (await call(last, 'POST', LOGIN, { body: wrong, ip })).status;
}
const alternating = () => Array.from({ length: LOGIN_LIMIT }, (_, i) => (i % 2 === 0 ? a : b));

async function seedUsers() {
  return [await createUser(a), await createUser(b), await createUser(a)];
}

let lockoutIp = 0;
/** A lockout counted across both instances: only Redis (not each one's memory) refuses it. */
async function lockoutIsShared() {
  expect(await lockoutAnswer(alternating(), b, `10.81.0.${++lockoutIp}`)).toBe(429);
}

/** Deep health on both instances names the primary, on a Sentinel-mode connection. */
async function deepHealthShows(port: number) {
  for (const app of [a, b]) {
    const res = await call(app, 'GET', '/api/public/v1/healthz/deep', { bearer: METRICS_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.checks.redis).toMatchObject({
      status: 'ok',
      mode: 'sentinel',
      role: 'master',
      address: `127.0.0.1:${port}`,
    });
  }
}

/**
 * Fails the primary over by `cause` (which returns the old primary's port) under load, and
 * checks what must hold through it. `meanwhile` runs before the sentinels name a new primary.
 */
async function failOverUnderLoad(
  what: string,
  cause: () => Promise<number>,
  meanwhile: () => Promise<void> = async () => {},
) {
  await a.store.set('cached-before', 'old', 300);
  expect(await b.store.get('cached-before')).toBe('old');
  const load = startLoad(await seedUsers());
  await Bun.sleep(300);
  const started = performance.now();
  const old = await cause();
  await meanwhile();
  const next = await group!.waitForNewPrimary(old);
  const switched = performance.now() - started;
  const revokedRightAfter = await revocationDelay(a, b);
  await bothOnPrimary(next);
  const followed = performance.now() - started;
  const revokedOnNewPrimary = await revocationDelay(b, a);
  await Bun.sleep(300);
  const { ok, failed } = await load.stop();
  console.log(
    `${what}: :${old} → :${next} in ${switched.toFixed(0)} ms, both instances on it after ` +
      `${followed.toFixed(0)} ms; ${ok} requests ok, ${failed.length} failed; revocation ` +
      `crossed in ${revokedRightAfter.toFixed(0)} ms right after the switch, ` +
      `${revokedOnNewPrimary.toFixed(0)} ms on the new primary`,
  );
  expect(failed).toEqual([]);
  expect(ok).toBeGreaterThan(50);
  expect(revokedRightAfter).toBeLessThan(1000);
  expect(revokedOnNewPrimary).toBeLessThan(1000);
  // The new primary holds a replicated copy, but the cache starts cold under its replication id.
  expect(await b.store.get('cached-before')).toBeNull();
  await deepHealthShows(next);
  await lockoutIsShared();
}

describe.skipIf(noSentinel)('Redis Sentinel', () => {
  test('both instances reach the primary through the sentinels', async () => {
    const primary = (await group!.primaryPort())!;
    await bothOnPrimary(primary);
    await deepHealthShows(primary);
    await lockoutIsShared();
  });

  test('SENTINEL FAILOVER under load: nothing fails, revocations keep crossing', async () => {
    await failOverUnderLoad('SENTINEL FAILOVER', async () => {
      const before = (await group!.primaryPort())!;
      await group!.failover();
      return before;
    });
    // The demoted primary rejoins as a replica, so the next test can fail over again.
    await group!.waitUntilSettled();
  }, 60_000);

  test('primary killed under load: memory rate limits meanwhile, then all recovers', async () => {
    await failOverUnderLoad(
      'primary killed',
      () => group!.killPrimary(),
      async () => {
        // No primary answers until the sentinels agree on a new one: limits are per instance.
        const answer = await lockoutAnswer(Array(LOGIN_LIMIT).fill(a), a, '10.82.0.1');
        expect(a.store.status()).not.toBe('connected');
        expect(answer).toBe(429);
      },
    );
  }, 60_000);
});
