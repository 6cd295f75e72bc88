/**
 * npm run bench — authenticating a request must cost about as little as not authenticating:
 * GET /auth/me with a session cookie against GET /healthz/live, alternating, 50 connections,
 * on a production-mode server. Target: me ≥ 0.8 × live, p99 < 5 ms.
 * Env: BENCH_SECONDS (default 8), BENCH_ROUNDS (2), BENCH_DATABASE_URL / BENCH_REDIS_URL.
 */
import { type LoadResult, loadTool, printTable, runLoad } from './load';
import { seedSession, startBenchServer } from './server';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

const server = await startBenchServer();
try {
  const token = await seedSession(server.url);
  const live = `${server.url}/api/public/v1/healthz/live`;
  const me = `${server.url}/api/public/v1/auth/me`;
  const cookie = { cookie: `__Host-kubegram_session=${token}` };
  const check = await fetch(me, { headers: cookie });
  if (check.status !== 200) throw new Error(`/auth/me answered ${check.status}`);

  // Warm-up: JIT and caches.
  await runLoad({ label: 'warm-up', url: me, headers: cookie, seconds: 2 });
  const results: LoadResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    results.push(await runLoad({ label: `healthz/live (round ${round})`, url: live, seconds }));
    results.push(
      await runLoad({
        label: `auth/me cookie (round ${round})`,
        url: me,
        headers: cookie,
        seconds,
      }),
    );
  }
  console.log(
    `tool: ${loadTool}, 50 connections, ${seconds} s per run, ${rounds} rounds alternating`,
  );
  printTable(results);
  const avg = (prefix: string) => {
    const runs = results.filter((r) => r.label.startsWith(prefix));
    return runs.reduce((sum, r) => sum + r.rps, 0) / runs.length;
  };
  const ratio = avg('auth/me') / avg('healthz/live');
  const worstP99 = Math.max(
    ...results.filter((r) => r.label.startsWith('auth/me')).map((r) => r.p99Ms),
  );
  console.log(
    `\nme/live ratio: ${ratio.toFixed(2)} (target ≥ 0.80)   worst me p99: ${worstP99.toFixed(2)} ms (target < 5)`,
  );
} finally {
  await server.stop();
}
