import { type Client, createClient } from 'graphql-ws';
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { CircuitBreaker, UpstreamUnavailableError } from './circuit-breaker';
import {
  type GenerateCodeInput,
  type JobKind,
  STATUS_FIELDS,
  type UpstreamJobStatus,
  type UpstreamResult,
} from './types';

/**
 * The KubeRAG GraphQL client (contract: schema.graphql). Queries and mutations go over fetch
 * with a timeout and through the circuit breaker; status subscriptions go over graphql-ws on
 * one shared, lazily opened socket that reconnects (and re-subscribes) on its own.
 */

export interface KubeRagOptions {
  url: string;
  wsUrl?: string;
  timeoutMs: number;
  retryAttempts: number;
  retryDelayMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  clock: Clock;
  logger: Logger;
}

/** The upstream answered, but about this job: unknown id, result not ready. Not an outage. */
export class KubeRagJobError extends AppError {
  constructor(code: 'NOT_FOUND' | 'CONFLICT', message: string) {
    super(code, `KubeRAG: ${message}`);
  }
}

/** Network error, timeout, 5xx or an answer we cannot read: counts against the breaker. */
class UpstreamFailure extends AppError {
  constructor(message: string, status: 502 | 503) {
    super('UPSTREAM_UNAVAILABLE', message, undefined, status);
  }
}

export interface StatusSink {
  next(status: UpstreamJobStatus): void;
  /** The subscription failed for good (retries exhausted); the caller falls back to polling. */
  error(err: unknown): void;
  complete(): void;
}

export type KubeRagHealth = 'connected' | 'unavailable';

const HEALTH_CACHE_MS = 5000;

export class KubeRagClient {
  readonly breaker: CircuitBreaker;
  private ws?: Client;
  private health?: { value: KubeRagHealth; at: number };

  constructor(private readonly options: KubeRagOptions) {
    this.breaker = new CircuitBreaker({
      name: 'KubeRAG',
      threshold: options.breakerThreshold,
      cooldownMs: options.breakerCooldownMs,
      clock: options.clock,
      onStateChange: (state) => options.logger.warn({ state }, 'kuberag circuit breaker'),
    });
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}, timeoutMs?: number) {
    return this.breaker.run(
      () => this.post<T>(query, variables, timeoutMs ?? this.options.timeoutMs),
      (err) => err instanceof UpstreamFailure,
    );
  }

  private async post<T>(query: string, variables: Record<string, unknown>, timeoutMs: number) {
    let res: Response;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new UpstreamFailure(
        timedOut ? `KubeRAG did not answer within ${timeoutMs} ms` : 'KubeRAG is unreachable',
        503,
      );
    }
    let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new UpstreamFailure(`KubeRAG answered ${res.status} without JSON`, 502);
    }
    const first = body.errors?.[0];
    const code = first?.extensions?.code;
    if (first && (code === 'NOT_FOUND' || code === 'CONFLICT')) {
      throw new KubeRagJobError(code, first.message.slice(0, 300));
    }
    if (res.status >= 500 || first || body.data === undefined || body.data === null) {
      // The upstream's own message may carry internals; log it, do not pass it on.
      this.options.logger.warn({ status: res.status, error: first?.message }, 'kuberag error');
      throw new UpstreamFailure('KubeRAG failed to process the request', 502);
    }
    return body.data;
  }

  async submit(kind: JobKind, input: GenerateCodeInput): Promise<{ jobId: string }> {
    const field = kind === 'plan' ? 'planGraph' : 'generateCode';
    const data = await this.request<Record<string, { jobId: string }>>(
      `mutation Submit($input: GenerateCodeInput!) { ${field}(input: $input) { jobId status } }`,
      { input },
    );
    return data[field]!;
  }

  async status(jobId: string): Promise<UpstreamJobStatus> {
    const data = await this.request<{ codegenJob: UpstreamJobStatus }>(
      `query Status($input: JobInput!) { codegenJob(input: $input) { ${STATUS_FIELDS} } }`,
      { input: { jobId } },
    );
    return data.codegenJob;
  }

  async result(jobId: string): Promise<UpstreamResult> {
    const data = await this.request<{ codegenResult: UpstreamResult }>(
      `query Result($input: JobInput!) { codegenResult(input: $input) {
        jobId files { path content }
        plan { namespace resources { kind name file } steps { order title description resources } }
      } }`,
      { input: { jobId } },
    );
    return data.codegenResult;
  }

  async cancel(jobId: string): Promise<UpstreamJobStatus> {
    const data = await this.request<{ cancelCodegenJob: UpstreamJobStatus }>(
      `mutation Cancel($input: JobInput!) { cancelCodegenJob(input: $input) { ${STATUS_FIELDS} } }`,
      { input: { jobId } },
    );
    return data.cancelCodegenJob;
  }

  /**
   * Live status of one job. The contract makes the first message the current state, so the
   * automatic re-subscription after a dropped socket cannot miss a terminal state.
   * Returns the unsubscribe function.
   */
  subscribe(jobId: string, sink: StatusSink): () => void {
    if (this.breaker.state() === 'open') {
      queueMicrotask(() => sink.error(new UpstreamUnavailableError('KubeRAG is unavailable')));
      return () => {};
    }
    return this.socket().subscribe<{ codegenJobStatus: UpstreamJobStatus }>(
      {
        query: `subscription Watch($input: JobInput!) { codegenJobStatus(input: $input) { ${STATUS_FIELDS} } }`,
        variables: { input: { jobId } },
      },
      {
        next: (message) => {
          if (message.data?.codegenJobStatus) sink.next(message.data.codegenJobStatus);
          else if (message.errors) sink.error(new Error(message.errors[0]?.message));
        },
        error: (err) => sink.error(err),
        complete: () => sink.complete(),
      },
    );
  }

  private socket(): Client {
    this.ws ??= createClient({
      url: this.options.wsUrl ?? this.options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: this.options.retryAttempts,
      retryWait: () => Bun.sleep(this.options.retryDelayMs),
      // Any dropped socket is worth the documented retries, not only "abrupt" closes.
      shouldRetry: () => true,
      connectionAckWaitTimeout: this.options.timeoutMs,
      on: {
        closed: () => this.options.logger.debug('kuberag subscription socket closed'),
      },
    });
    return this.ws;
  }

  /** For readiness: a cheap query, cached briefly so probes do not load the upstream. */
  async healthCheck(): Promise<KubeRagHealth> {
    const now = this.options.clock.now();
    if (this.health && now - this.health.at < HEALTH_CACHE_MS) return this.health.value;
    let value: KubeRagHealth = 'unavailable';
    if (this.breaker.state() !== 'open') {
      value = await this.request('query Health { __typename }', {}, 1000).then(
        () => 'connected' as const,
        () => 'unavailable' as const,
      );
    }
    this.health = { value, at: now };
    return value;
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }
}
