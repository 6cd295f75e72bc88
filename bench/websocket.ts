/**
 * bun bench/websocket.ts — how many job-status WebSocket subscribers one instance holds, and
 * how fast one status change reaches all of them.
 *
 * A production-mode server (src/server.ts, child process) tracks one KubeRAG job (the test
 * stand-in from test/codegen/kuberag-server.ts, driven by hand). BENCH_WS_SUBSCRIBERS clients
 * (default 10 000) subscribe to that job with the session cookie; then BENCH_WS_ROUNDS status
 * changes are made upstream and the time until every client has the frame is measured from
 * the moment KubeRAG emits it (so it includes the graphql-ws hop, the database write, pub/sub,
 * the fan-out and the client's own event loop). Memory per idle connection = server RSS growth
 * divided by the subscriber count. Targets: 10 000 subscribers, p99 < 200 ms.
 * Env: BENCH_WS_SUBSCRIBERS, BENCH_WS_ROUNDS (5), BENCH_WS_BATCH (250), BENCH_WS_WORKERS (2),
 * BENCH_DATABASE_URL,
 * BENCH_REDIS_URL.
 */
import { readFileSync } from 'node:fs';
import { startFakeKubeRag } from '../test/codegen/kuberag-server';
import { seedSession, startBenchServer } from './server';

const SUBSCRIBERS = Number(process.env.BENCH_WS_SUBSCRIBERS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS ?? 5);
const BATCH = Number(process.env.BENCH_WS_BATCH ?? 250);
const WORKERS = Number(process.env.BENCH_WS_WORKERS ?? 2);

/** The client side needs one descriptor per socket; the server process has its own limit. */
function checkDescriptorLimit() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 0);
  if (soft && soft < SUBSCRIBERS + 200) {
    console.error(
      `ulimit -n is ${soft}; raise it (ulimit -n ${SUBSCRIBERS + 1000}) before running the benchmark`,
    );
    process.exit(1);
  }
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function api(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      cookie: `__Host-kubegram_session=${token}`,
      origin: url,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as any;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

checkDescriptorLimit();
const rag = await startFakeKubeRag({ autoRun: false });
const server = await startBenchServer({
  KUBERAG_URL: rag.url,
  CODEGEN_TOKEN_ESTIMATE: '10',
  LOG_LEVEL: 'warn',
});
const pid = server.child.pid!;
try {
  const token = await seedSession(server.url);
  const company = await api(server.url, token, 'POST', '/api/public/v1/companies', {
    name: 'Bench',
  });
  await api(server.url, token, 'PATCH', `/api/public/v1/companies/${company.id}`, {
    tokens: 1_000_000,
  });
  const org = await api(server.url, token, 'POST', '/api/public/v1/organizations', {
    companyId: company.id,
    name: 'Bench Org',
  });
  const team = await api(server.url, token, 'POST', '/api/public/v1/teams', {
    organizationId: org.id,
    name: 'Bench Team',
  });
  const job = await api(server.url, token, 'POST', '/api/public/v1/graph/codegen', {
    input: {
      modelProvider: 'claude',
      modelName: 'bench',
      graph: { nodes: [{ id: 'api', type: 'service' }], edges: [] },
    },
    companyId: company.id,
    project: { name: 'Bench Project', teamId: team.id },
  });
  while (rag.jobs.size === 0) await Bun.sleep(10);
  const upstreamId = [...rag.jobs.keys()][0]!;
  while (rag.jobs.get(upstreamId)!.listeners.size === 0) await Bun.sleep(10);
  await Bun.sleep(500);

  const wsUrl = `${server.url.replace('http', 'ws')}/api/public/v1/graph/codegen/${job.jobId}/subscribe`;
  const headers = { cookie: `__Host-kubegram_session=${token}`, origin: server.url };
  const baseline = rssMiB(pid);

  // Clients live in worker threads so that receiving the frames is not one queue.
  const workers = Array.from(
    { length: WORKERS },
    () => new Worker(new URL('./websocket-clients.ts', import.meta.url).href),
  );
  const ask = <T>(worker: Worker, message: unknown, type: string) =>
    new Promise<T>((resolve, reject) => {
      const listener = (event: MessageEvent) => {
        if (event.data.type === 'error') reject(new Error(event.data.error));
        if (event.data.type !== type) return;
        worker.removeEventListener('message', listener);
        resolve(event.data as T);
      };
      worker.addEventListener('message', listener);
      worker.postMessage(message);
    });
  const wallNow = () => performance.timeOrigin + performance.now();
  const connectStarted = performance.now();
  await Promise.all(
    workers.map((worker, i) => {
      const count = Math.floor(SUBSCRIBERS / WORKERS) + (i < SUBSCRIBERS % WORKERS ? 1 : 0);
      return ask(worker, { type: 'start', url: wsUrl, headers, count, batch: BATCH }, 'ready');
    }),
  );
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  await Bun.sleep(3000);
  const loaded = rssMiB(pid);
  const perConnectionKiB = ((loaded - baseline) * 1024) / SUBSCRIBERS;

  type Report = { arrivals: number[]; closed: number };
  const reports = (progress: number) =>
    Promise.all(workers.map((w) => ask<Report>(w, { type: 'report', progress }, 'report')));
  const rounds: Array<{ min: number; p50: number; p99: number; max: number; missing: number }> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const progress = round * 10;
    const emitted = wallNow();
    rag.update(upstreamId, { status: 'running', progress, step: `round ${round}` });
    const deadline = performance.now() + 30_000;
    let arrived: number[] = [];
    while (performance.now() < deadline) {
      await Bun.sleep(50);
      arrived = (await reports(progress)).flatMap((r) => r.arrivals);
      if (arrived.length >= SUBSCRIBERS) break;
    }
    const latencies = arrived.map((t) => t - emitted).sort((a, b) => a - b);
    rounds.push({
      min: latencies[0]!,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1)!,
      missing: SUBSCRIBERS - latencies.length,
    });
    await Bun.sleep(500);
  }

  rag.update(upstreamId, {
    status: 'succeeded',
    progress: 100,
    tokenUsage: { prompt: 1, completion: 1, total: 2 },
  });
  let closedClean = 0;
  const closeDeadline = performance.now() + 30_000;
  while (closedClean < SUBSCRIBERS && performance.now() < closeDeadline) {
    await Bun.sleep(100);
    closedClean = (await reports(100)).reduce((sum, r) => sum + r.closed, 0);
  }
  for (const worker of workers) worker.terminate();

  console.log(`\nWebSocket fan-out: ${SUBSCRIBERS} subscribers on one job, one instance`);
  console.log(
    `connected in ${connectSeconds.toFixed(1)} s (batches of ${BATCH}, clients in ${WORKERS} worker threads)`,
  );
  console.log(
    `server RSS ${baseline.toFixed(0)} MiB → ${loaded.toFixed(0)} MiB: ${perConnectionKiB.toFixed(1)} KiB per idle connection`,
  );
  console.log('round  min ms  p50 ms  p99 ms  max ms  missing');
  for (const [i, r] of rounds.entries()) {
    console.log(
      `${String(i + 1).padStart(5)}  ${r.min.toFixed(1).padStart(6)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${r.max.toFixed(1).padStart(6)}  ${String(r.missing).padStart(7)}`,
    );
  }
  const worstP99 = Math.max(...rounds.map((r) => r.p99));
  console.log(
    `worst p99 ${worstP99.toFixed(1)} ms (target < 200); terminal frame + close 1000 reached ${closedClean}/${SUBSCRIBERS}`,
  );
} finally {
  await server.stop();
  await rag.stop();
}
