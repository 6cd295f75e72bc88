/**
 * npm run bench — authenticating a request must cost about as little as not authenticating.
 * On a production-mode server, 50 connections: GET /healthz/live against GET /auth/me with a
 * session cookie, a personal access token and an access JWT, in rounds that rotate the
 * order (the machine's background load drifts; rotating spreads it over every variant). Targets: cookie
 * ≥ 0.80 × live with p99 < 5 ms, PAT and JWT ≥ 0.75 × live. Then refresh-grant throughput
 * (target ≥ 1,000/s on PostgreSQL).
 * Env: BENCH_SECONDS (default 6), BENCH_ROUNDS (3), BENCH_ONLY (a variant name part, e.g. JWT),
 * BENCH_REFRESH_SECONDS (10; 0 skips), BENCH_REFRESH_CHAINS (32), BENCH_DATABASE_URL (a
 * PostgreSQL server; unset: PGlite), BENCH_REDIS_URL, BENCH_CPU_PROFILE (a directory).
 */
import { createPat, deviceLogin, refreshThroughput } from './credentials';
import { type LoadResult, loadTool, printTable, runLoad } from './load';
import { seedSession, startBenchServer } from './server';

const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const only = process.env.BENCH_ONLY;
const refreshSeconds = Number(process.env.BENCH_REFRESH_SECONDS ?? 10);
const refreshChains = Number(process.env.BENCH_REFRESH_CHAINS ?? 32);

const server = await startBenchServer();
try {
  const cookie = { cookie: `__Host-kubegram_session=${await seedSession(server.url)}` };
  const pat = await createPat(server.url, cookie);
  const jwt = (await deviceLogin(server.url, cookie)).access_token;

  const live = `${server.url}/api/public/v1/healthz/live`;
  const me = `${server.url}/api/public/v1/auth/me`;
  const variants = [
    { name: 'auth/me cookie', headers: cookie, target: 0.8, p99Target: 5 },
    { name: 'auth/me PAT', headers: { authorization: `Bearer ${pat}` }, target: 0.75 },
    { name: 'auth/me JWT', headers: { authorization: `Bearer ${jwt}` }, target: 0.75 },
  ].filter((v) => !only || v.name.includes(only));
  for (const v of variants) {
    const check = await fetch(me, { headers: v.headers });
    if (check.status !== 200) throw new Error(`${v.name} answered ${check.status}`);
    await runLoad({ label: 'warm-up', url: me, headers: v.headers, seconds: 2 });
  }

  // Each round starts at a different variant, so no variant always follows the same one.
  const runs = [
    { name: 'healthz/live', url: live, headers: {} },
    ...variants.map((v) => ({ ...v, url: me })),
  ];
  const results: LoadResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (let i = 0; i < runs.length; i++) {
      const run = runs[(i + round - 1) % runs.length]!;
      const label = `${run.name} (round ${round})`;
      results.push(await runLoad({ label, url: run.url, headers: run.headers, seconds }));
    }
  }
  console.log(`tool: ${loadTool}, 50 connections, ${seconds} s per run, ${rounds} rounds`);
  console.log(
    `database: ${server.database}, cache: ${process.env.BENCH_REDIS_URL ? 'Redis' : 'memory'}`,
  );
  printTable(results);
  const runsOf = (prefix: string) => results.filter((r) => r.label.startsWith(prefix));
  const avg = (prefix: string) =>
    runsOf(prefix).reduce((sum, r) => sum + r.rps, 0) / runsOf(prefix).length;
  const liveRps = avg('healthz/live');
  console.log();
  for (const v of variants) {
    const p99 = Math.max(...runsOf(v.name).map((r) => r.p99Ms));
    const p99Note = v.p99Target ? `, worst p99 ${p99.toFixed(2)} ms (target < ${v.p99Target})` : '';
    console.log(
      `${v.name.padEnd(16)} ${(avg(v.name) / liveRps).toFixed(2)} × live (target ≥ ${v.target.toFixed(2)})${p99Note}`,
    );
  }

  if (refreshSeconds > 0) {
    const chains: string[] = [];
    for (let i = 0; i < refreshChains; i++) {
      chains.push((await deviceLogin(server.url, cookie)).refresh_token);
    }
    const refresh = await refreshThroughput(server.url, chains, refreshSeconds);
    console.log(
      `\nrefresh grant: ${refresh.rps.toFixed(0)}/s over ${refreshSeconds} s, ${refreshChains} chains, ` +
        `${refresh.done} rotations, ${refresh.failed} failures (target ≥ 1,000/s on PostgreSQL)`,
    );
  }
} finally {
  await server.stop();
}
