/**
 * npm run bench:tokens — what token authentication costs, next to the cookie session and the
 * liveness probe, on a production-mode server: GET /auth/me with a session cookie, a personal
 * access token and an access JWT against GET /healthz/live (target: each ≥ 0.75 × live), then
 * refresh-grant throughput (target ≥ 1,000/s on PostgreSQL).
 * Env: BENCH_SECONDS (default 8), BENCH_ROUNDS (2), BENCH_REFRESH_SECONDS (10),
 * BENCH_REFRESH_CONCURRENCY (32), BENCH_PG_ADMIN_URL (a fresh database is created in it and
 * dropped afterwards; unset: the embedded PGlite), BENCH_REDIS_URL.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type LoadResult, loadTool, printTable, runLoad } from './load';
import { seedSession, startBenchServer } from './server';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const refreshSeconds = Number(process.env.BENCH_REFRESH_SECONDS ?? 10);
const refreshConcurrency = Number(process.env.BENCH_REFRESH_CONCURRENCY ?? 32);
const pgAdmin = process.env.BENCH_PG_ADMIN_URL;

let dropDatabase = async () => {};
const extraEnv: Record<string, string> = {};
if (pgAdmin) {
  const name = `kg_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(pgAdmin, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(pgAdmin);
  url.pathname = `/${name}`;
  extraEnv.DATABASE_URL = url.toString();
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 1 });
  };
}

const server = await startBenchServer(extraEnv);

async function form(path: string, params: Record<string, string>) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A device login approved through the /device page, as a browser would. */
async function deviceLogin(cookie: Record<string, string>) {
  const started = await form('/oauth/device/code', { client_id: 'kubegram-cli' });
  const page = await fetch(`${server.url}/device?user_code=${started.body.user_code}`, {
    headers: cookie,
  });
  const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error(`device page: ${page.status}`);
  const answer = await fetch(`${server.url}/device`, {
    method: 'POST',
    headers: {
      ...cookie,
      origin: server.url,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ user_code: started.body.user_code, csrf, action: 'approve' }),
  });
  if (answer.status !== 200) throw new Error(`device approve: ${answer.status}`);
  const tokens = await form('/oauth/token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: started.body.device_code,
    client_id: 'kubegram-cli',
  });
  if (tokens.status !== 200) throw new Error(`device token: ${JSON.stringify(tokens.body)}`);
  return tokens.body as { access_token: string; refresh_token: string };
}

/** Each worker follows its own refresh chain for the duration; returns grants per second. */
async function refreshThroughput(chains: string[]) {
  let done = 0;
  let failed = 0;
  const deadline = Date.now() + refreshSeconds * 1000;
  const started = Date.now();
  await Promise.all(
    chains.map(async (initial) => {
      let token = initial;
      while (Date.now() < deadline) {
        const res = await form('/oauth/token', {
          grant_type: 'refresh_token',
          refresh_token: token,
        });
        if (res.status !== 200) {
          failed++;
          return;
        }
        token = res.body.refresh_token;
        done++;
      }
    }),
  );
  return { rps: done / ((Date.now() - started) / 1000), done, failed };
}

try {
  const session = await seedSession(server.url);
  const cookie = { cookie: `__Host-kubegram_session=${session}` };
  const patRes = await fetch(`${server.url}/api/public/v1/auth/tokens`, {
    method: 'POST',
    headers: { ...cookie, origin: server.url, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', scopes: ['read', 'write'] }),
  });
  const pat = ((await patRes.json()) as { data: { token: string } }).data.token;
  const jwt = (await deviceLogin(cookie)).access_token;

  const live = `${server.url}/api/public/v1/healthz/live`;
  const me = `${server.url}/api/public/v1/auth/me`;
  const variants = [
    { name: 'auth/me cookie', headers: cookie },
    { name: 'auth/me PAT', headers: { authorization: `Bearer ${pat}` } },
    { name: 'auth/me JWT', headers: { authorization: `Bearer ${jwt}` } },
  ];
  for (const v of variants) {
    const check = await fetch(me, { headers: v.headers });
    if (check.status !== 200) throw new Error(`${v.name} answered ${check.status}`);
    await runLoad({ label: 'warm-up', url: me, headers: v.headers, seconds: 2 });
  }

  const results: LoadResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    results.push(await runLoad({ label: `healthz/live (round ${round})`, url: live, seconds }));
    for (const v of variants) {
      results.push(
        await runLoad({
          label: `${v.name} (round ${round})`,
          url: me,
          headers: v.headers,
          seconds,
        }),
      );
    }
  }
  console.log(`tool: ${loadTool}, 50 connections, ${seconds} s per run, ${rounds} rounds`);
  printTable(results);
  const avg = (prefix: string) => {
    const runs = results.filter((r) => r.label.startsWith(prefix));
    return runs.reduce((sum, r) => sum + r.rps, 0) / runs.length;
  };
  const liveRps = avg('healthz/live');
  for (const v of variants) {
    console.log(
      `${v.name.padEnd(16)} ${(avg(v.name) / liveRps).toFixed(2)} × live (target ≥ 0.75)`,
    );
  }

  const chains: string[] = [];
  for (let i = 0; i < refreshConcurrency; i++)
    chains.push((await deviceLogin(cookie)).refresh_token);
  const refresh = await refreshThroughput(chains);
  console.log(
    `\nrefresh grant: ${refresh.rps.toFixed(0)}/s over ${refreshSeconds} s, ${refreshConcurrency} chains, ` +
      `${refresh.done} rotations, ${refresh.failed} failures, database: ${pgAdmin ? 'PostgreSQL' : 'PGlite'} (target ≥ 1,000/s on PostgreSQL)`,
  );
} finally {
  await server.stop();
  await dropDatabase();
}
