import type { Page } from './api';
import { ClientError, EXIT } from './errors';
import { apiRequest, apiResponse, type ClientOptions } from './http';

/** Code-generation and planning jobs: submit, watch, fetch the result. */

const GRAPH = '/api/public/v1/graph';
const job = (id: string) => `${GRAPH}/codegen/${encodeURIComponent(id)}`;

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface Job {
  jobId: string;
  kind: 'codegen' | 'plan';
  engine: string;
  status: JobStatus;
  progress: number;
  step: string | null;
  error: string | null;
  projectId: string;
  companyId: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  [field: string]: unknown;
}

/** A frame of the job-status WebSocket. */
export interface JobStatusFrame {
  type: 'status';
  jobId: string;
  status: JobStatus;
  progress: number;
  step: string | null;
  updatedAt: string;
  error?: string | null;
}

export interface JobRequest {
  input: { modelProvider: string; modelName: string; graph: unknown };
  context?: string[];
  companyId: string;
  project: { id?: string; name?: string; teamId?: string };
}

export async function submitJob(options: ClientOptions, body: JobRequest, plan = false) {
  const path = `${GRAPH}/${plan ? 'plan' : 'codegen'}`;
  return (
    await apiRequest<{ data: { jobId: string; status: JobStatus } }>(options, path, {
      method: 'POST',
      body,
    })
  ).data;
}

export async function getJob(options: ClientOptions, id: string) {
  return (await apiRequest<{ data: Job }>(options, job(id))).data;
}

/** Every job of a project, newest first. */
export async function listJobs(options: ClientOptions, projectId: string) {
  const all: Job[] = [];
  for (let page = 1; ; page++) {
    const res = await apiRequest<Page<Job>>(options, `${GRAPH}/codegen`, {
      query: { projectId, page, limit: 100 },
    });
    all.push(...res.data);
    if (page >= res.pagination.totalPages || res.data.length === 0) return all;
  }
}

export async function cancelJob(options: ClientOptions, id: string) {
  return (await apiRequest<{ data: Job }>(options, job(id), { method: 'DELETE' })).data;
}

export interface JobResult {
  jobId: string;
  kind: string;
  files: Array<{ path: string; content: string }>;
  plan?: unknown;
}

export async function getJobResult(options: ClientOptions, id: string) {
  return (await apiRequest<{ data: JobResult }>(options, `${job(id)}/result`)).data;
}

/** The result as the server packs it: a .tar.gz with one root directory. */
export async function downloadJobTarball(options: ClientOptions, id: string) {
  const res = await apiResponse(options, `${job(id)}/result`, {
    query: { format: 'tar' },
    accept: 'application/gzip',
  });
  return new Uint8Array(await res.arrayBuffer());
}

/** Close codes of the status socket (README "Live status"). */
const CLOSE_DONE = 1000;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_NOT_FOUND = 4404;
const RECONNECTS = 5;

/**
 * Follows a job over WS …/subscribe until it reaches a terminal state, calling `onFrame` for
 * the current state and every change. Each connection authenticates with a fresh single-use
 * ticket (no long-lived token in a URL). A server going away (1001, a replica draining) or a
 * dropped connection reconnects, up to five times in a row.
 */
export async function followJob(
  options: ClientOptions,
  id: string,
  onFrame: (frame: JobStatusFrame) => void,
): Promise<JobStatusFrame> {
  let last: JobStatusFrame | undefined;
  for (let failures = 0; failures <= RECONNECTS; ) {
    const { ticket } = (
      await apiRequest<{ data: { ticket: string } }>(options, `${job(id)}/ticket`, {
        method: 'POST',
      })
    ).data;
    const url = new URL(`${job(id)}/subscribe`, options.apiUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', ticket);
    const outcome = await watchOnce(url.toString(), (frame) => {
      last = frame;
      failures = 0;
      onFrame(frame);
    });
    if (last && TERMINAL_STATUSES.includes(last.status)) return last;
    if (outcome.code === CLOSE_NOT_FOUND)
      throw new ClientError(`Job ${id} not found`, EXIT.notFound);
    if (outcome.code === CLOSE_DONE) break;
    if (outcome.code !== CLOSE_GOING_AWAY) failures++;
    await Bun.sleep(Math.min(200 * 2 ** failures, 3000));
  }
  throw new ClientError(`Lost the status stream of job ${id}; try \`kubegram jobs get ${id}\``);
}

function watchOnce(url: string, onFrame: (frame: JobStatusFrame) => void) {
  return new Promise<{ code: number }>((resolve) => {
    const ws = new WebSocket(url);
    ws.addEventListener('message', (event) => {
      try {
        const frame = JSON.parse(String(event.data)) as JobStatusFrame;
        if (frame.type === 'status') onFrame(frame);
      } catch {}
    });
    ws.addEventListener('close', (event) => resolve({ code: event.code }));
    ws.addEventListener('error', () => {});
  });
}
