import type { Logger } from 'pino';

/**
 * Zero-drop shutdown for Bun.serve behind a load balancer.
 *
 * Closing a keep-alive connection from the server side races with a request the client is
 * sending on it at that moment (the client sees a reset: a 502 at the load balancer). The only
 * close a client can never lose a request to is one announced by `Connection: close` on a
 * response. So, on SIGTERM:
 *
 * 1. readiness answers 503 and every response carries `Connection: close`, while the server
 *    keeps accepting and serving for `delayMs` (endpoints controllers and load balancers stop
 *    sending here; connections still in use close cleanly after their next response);
 * 2. job WebSockets are closed (1001) and new ones refused (503): their clients reconnect to
 *    another instance. Then quiesce: for a short window new requests wait at a gate instead of
 *    being answered, so no response invites a reconnect and every busy connection ends up
 *    holding a request;
 * 3. `server.stop()`: the listener closes (new connects are refused, which clients retry
 *    elsewhere) and idle connections close; none of them is mid-request, because busy ones
 *    hold a gated request. Then the gate opens: the held requests are served, with
 *    `Connection: close`;
 * 4. in-flight requests get until the deadline, then the rest is cut (`stop(true)`);
 * 5. the owner flushes buffered writes and closes its clients, within the same deadline.
 *
 * The whole sequence ends within `delayMs + timeoutMs` (Kubernetes' grace period is set from
 * those two).
 */

/** Long enough for a client that just got a response to send its next request. */
const QUIESCE_MS = 250;
/** Kept back from the drain for flushing buffered writes and closing clients. */
const FLUSH_RESERVE_MS = 3000;

/** Bun.serve's fetch: no response when it upgraded the request to a WebSocket. */
type Fetch<S> = (
  request: Request,
  server: S,
) => Response | undefined | Promise<Response | undefined>;

export interface DrainableServer {
  stop(closeActiveConnections?: boolean): Promise<void>;
  readonly pendingRequests: number;
}

export interface ShutdownSteps {
  /** Right at the signal: readiness goes red. */
  stopReadiness(): void;
  /** After the delay, before the listener closes: long-lived sockets (job WebSockets, 1001). */
  closeLongLived(): void;
  /** After the drain: flush buffered writes, close the database and Redis. */
  flush(): Promise<void>;
}

export interface ShutdownOptions {
  delayMs: number;
  timeoutMs: number;
  logger: Logger;
}

export type ShutdownOutcome = 'clean' | 'requests-cut' | 'flush-timed-out';

export class GracefulShutdown {
  private closing = false;
  /** Past the delay: long-lived sockets are being closed, so no new ones are opened. */
  private draining = false;
  private gate: Promise<void> | undefined;

  constructor(private readonly options: ShutdownOptions) {}

  /** Wraps Bun.serve's fetch. Until a signal it adds nothing to a request but one check. */
  wrap<S>(fetch: Fetch<S>): Fetch<S> {
    return (request, server) =>
      this.closing ? this.serveWhileClosing(fetch, request, server) : fetch(request, server);
  }

  private async serveWhileClosing<S>(fetch: Fetch<S>, request: Request, server: S) {
    if (this.gate) await this.gate;
    if (this.draining && request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
      return withConnectionClose(shuttingDownResponse());
    }
    const response = await fetch(request, server);
    return response && withConnectionClose(response);
  }

  async run(server: DrainableServer, steps: ShutdownSteps): Promise<ShutdownOutcome> {
    const { delayMs, timeoutMs, logger } = this.options;
    const deadline = performance.now() + delayMs + timeoutMs;
    this.closing = true;
    steps.stopReadiness();
    logger.info({ delayMs, timeoutMs }, 'shutting down: readiness off, still serving');
    await Bun.sleep(delayMs);

    this.draining = true;
    steps.closeLongLived();
    const quiesceMs = Math.min(QUIESCE_MS, timeoutMs / 4);
    let openGate = () => {};
    this.gate = new Promise((resolve) => {
      openGate = resolve;
    });
    await Bun.sleep(quiesceMs);
    const drained = server.stop(false);
    openGate();
    this.gate = undefined;

    let outcome: ShutdownOutcome = 'clean';
    const drainBudget = deadline - Math.min(FLUSH_RESERVE_MS, timeoutMs / 4) - performance.now();
    if (!(await settlesWithin(drained, drainBudget))) {
      logger.warn(
        { pendingRequests: server.pendingRequests },
        'in-flight requests did not finish in time; closing them',
      );
      void server.stop(true);
      outcome = 'requests-cut';
    }
    if (!(await settlesWithin(steps.flush(), deadline - performance.now()))) {
      logger.error('buffered writes were not flushed before the shutdown deadline');
      outcome = 'flush-timed-out';
    }
    return outcome;
  }
}

async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  return result;
}

/** The error envelope of API.md, for a WebSocket asked of an instance that is going away. */
function shuttingDownResponse(): Response {
  const body = {
    error: 'This instance is shutting down: connect again',
    code: 'SERVICE_UNAVAILABLE',
    timestamp: new Date().toISOString(),
    requestId: crypto.randomUUID(),
  };
  return Response.json(body, { status: 503, headers: { 'Retry-After': '1' } });
}

/** The response, telling the client this connection ends after it (Bun then closes it). */
function withConnectionClose(response: Response): Response {
  if (response.status === 101) return response;
  try {
    response.headers.set('Connection', 'close');
    return response;
  } catch {
    // Immutable headers (a Response.redirect or a proxied fetch): copy them.
    const headers = new Headers(response.headers);
    headers.set('Connection', 'close');
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}
