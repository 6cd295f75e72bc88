import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  type PrivatePostgres,
  privatePostgresMissing,
  startPrivatePostgres,
} from '../helpers/private-postgres';
import {
  registerOverHttp,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process';

/**
 * Issue #12 item 2 on the real process against a private PostgreSQL: 4 writers create
 * companies while PostgreSQL is stopped for 3 s, then while pg_terminate_backend ends every
 * backend of the app's database, twice, 2 s apart. The same process serves throughout, every
 * failure is a quick 503 envelope with Retry-After, writes succeed again within 3 s, no
 * acknowledged write is lost and no refused one happened; cached sessions keep answering.
 */

const missing = privatePostgresMissing();
if (missing && process.env.CI === 'true') {
  throw new Error(`CI=true and the PostgreSQL outage test cannot run: ${missing}`);
}
if (missing) console.log(`[skip] PostgreSQL outage test: ${missing}`);

const WRITERS = 4;
const DATABASE = 'kg_outage';

interface Attempt {
  name: string;
  status: number | string;
  code?: string;
  retryAfter: string | null;
  startedAt: number;
  ms: number;
}

let pg: PrivatePostgres | undefined;
let server: ServerProcess | undefined;
let token = '';

beforeAll(async () => {
  if (missing) return;
  pg = await startPrivatePostgres();
  const databaseUrl = await pg.createDatabase(DATABASE);
  server = await startServerProcess({
    env: {
      DATABASE_URL: databaseUrl,
      ...(process.env.TEST_REDIS_URL
        ? { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_KEY_PREFIX: `kgpgout:${Date.now()}:` }
        : {}),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX_REQUESTS: '100000000',
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
    },
  });
  token = await registerOverHttp(server.url, 'outage@example.com');
}, 240_000);

afterAll(async () => {
  if (server && server.exitedAt() === undefined) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await pg?.destroy();
});

describe('PostgreSQL outage under concurrent writers', () => {
  test.skipIf(Boolean(missing))(
    'stopped 3 s, then every backend terminated twice: 503s only, nothing lost, recovered',
    async () => {
      const srv = server!;
      const db = pg!;
      const attempts: Attempt[] = [];
      const cachedReads: Array<number | string> = [];
      let running = true;
      let serial = 0;

      const createCompany = async (writer: number) => {
        const name = `outage-${writer}-${serial++}`;
        const startedAt = performance.now();
        const attempt = await fetch(`${srv.url}/api/public/v1/companies`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name }),
          signal: AbortSignal.timeout(10_000),
        }).then(
          async (res) => {
            const body = (await res.json().catch(() => ({}))) as { code?: string };
            return {
              status: res.status,
              code: body.code,
              retryAfter: res.headers.get('retry-after'),
            };
          },
          (err: Error) => ({ status: `network: ${err.name} ${err.message}`, retryAfter: null }),
        );
        attempts.push({ name, startedAt, ms: performance.now() - startedAt, ...attempt });
        if (attempt.status !== 201) await Bun.sleep(25);
      };
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        while (running) await createCompany(w);
      });
      // A signed-in reader: its session is cached in the instance, so it needs no database.
      const reader = (async () => {
        while (running) {
          const status = await fetch(`${srv.url}/api/public/v1/auth/me`, {
            headers: { authorization: `Bearer ${token}` },
          }).then(
            (r) => r.status,
            (e: Error) => `network: ${e.message}`,
          );
          cachedReads.push(status);
          await Bun.sleep(50);
        }
      })();
      const firstSuccessAfter = async (since: number) => {
        while (performance.now() - since < 10_000) {
          const ok = attempts.find((a) => a.status === 201 && a.startedAt >= since);
          if (ok) return ok.startedAt + ok.ms - since;
          await Bun.sleep(20);
        }
        return Number.POSITIVE_INFINITY;
      };

      await Bun.sleep(1000);
      await db.stop();
      await Bun.sleep(3000);
      await db.start();
      const recoveredAfterRestart = await firstSuccessAfter(performance.now());
      await Bun.sleep(2000);
      const terminated: number[] = [];
      const recoveredAfterTerminate: number[] = [];
      for (const round of [1, 2]) {
        const at = performance.now();
        terminated.push(await db.terminateBackends(DATABASE));
        recoveredAfterTerminate.push(await firstSuccessAfter(at));
        if (round === 1) await Bun.sleep(2000 - (performance.now() - at));
      }
      await Bun.sleep(1000);
      running = false;
      await Promise.all([...writers, reader]);

      const acknowledged = attempts.filter((a) => a.status === 201).map((a) => a.name);
      const refused = attempts.filter((a) => a.status !== 201);
      const stored = new Set(
        (
          await db.query<{ name: string }>(
            DATABASE,
            'select name from companies where name like $1',
            ['outage-%'],
          )
        ).map((r) => r.name),
      );
      const lost = acknowledged.filter((name) => !stored.has(name));
      const happenedAnyway = refused.filter((a) => stored.has(a.name)).map((a) => a.name);
      const failureKinds = [
        ...new Set(refused.map((a) => `${a.status} ${a.code} Retry-After=${a.retryAfter}`)),
      ];
      const failureMs = refused.map((a) => a.ms).sort((a, b) => a - b);
      console.log(
        `PostgreSQL outage: ${acknowledged.length} writes acknowledged, ${lost.length} lost; ` +
          `${refused.length} refused as [${failureKinds.join('; ')}], answered in ` +
          `${failureMs[0]?.toFixed(0)}–${failureMs.at(-1)?.toFixed(0)} ms ` +
          `(median ${failureMs[failureMs.length >> 1]?.toFixed(0)} ms); writes back ` +
          `${recoveredAfterRestart.toFixed(0)} ms after the restart, ` +
          `${recoveredAfterTerminate.map((ms) => ms.toFixed(0)).join(' and ')} ms after ` +
          `terminating ${terminated.join(' and ')} backends; cached reads: ` +
          `${cachedReads.filter((s) => s === 200).length}/${cachedReads.length} answered 200`,
      );

      expect(srv.exitedAt()).toBeUndefined();
      expect(srv.child.exitCode).toBeNull();
      expect(refused.length).toBeGreaterThan(0); // the outage was felt…
      expect(failureKinds).toEqual(['503 SERVICE_UNAVAILABLE Retry-After=1']); // …as 503s only
      expect(failureMs.at(-1)!).toBeLessThan(2000);
      expect(lost).toEqual([]);
      expect(happenedAnyway).toEqual([]);
      expect(recoveredAfterRestart).toBeLessThan(3000);
      for (const ms of recoveredAfterTerminate) expect(ms).toBeLessThan(3000);
      expect(terminated.every((n) => n > 0)).toBe(true);
      expect(cachedReads.filter((s) => s !== 200)).toEqual([]);
      expect(srv.output()).not.toContain('uncaught exception');
      expect(srv.output()).not.toContain('unhandled rejection');
    },
    120_000,
  );
});
