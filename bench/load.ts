import { spawnSync } from 'node:child_process';

/** One load run: wrk when installed (lighter on a 2-core machine), else autocannon. */
export interface LoadResult {
  label: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

export interface LoadOptions {
  label: string;
  url: string;
  headers?: Record<string, string>;
  connections?: number;
  seconds?: number;
}

const hasWrk = spawnSync('sh', ['-c', 'command -v wrk']).status === 0;
export const loadTool = hasWrk ? 'wrk' : 'autocannon';

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 50;
  const seconds = options.seconds ?? 8;
  const headers = Object.entries(options.headers ?? {});
  if (hasWrk) {
    const args = ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency'];
    for (const [k, v] of headers) args.push('-H', `${k}: ${v}`);
    args.push(options.url);
    const out = spawnSync('wrk', args, { encoding: 'utf8' }).stdout;
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
    const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    return { label: options.label, rps, p50Ms: p50, p99Ms: p99, non2xx };
  }
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url: options.url,
    connections,
    duration: seconds,
    headers: Object.fromEntries(headers),
  });
  return {
    label: options.label,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

export function printTable(results: LoadResult[]) {
  console.log(
    `\n${'endpoint'.padEnd(34)} ${'req/s'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(8)}`,
  );
  for (const r of results) {
    console.log(
      `${r.label.padEnd(34)} ${r.rps.toFixed(0).padStart(10)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${String(r.non2xx).padStart(8)}`,
    );
  }
}
