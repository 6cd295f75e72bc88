import { connect, type Socket } from 'node:net';

/**
 * A keep-alive load generator that counts exactly what a load balancer would see, written on
 * raw sockets so that nothing (no client retry, no pool) hides a dropped request:
 *
 * - every worker holds one HTTP/1.1 keep-alive connection and sends requests back to back;
 * - a response with `Connection: close` ends that connection and the worker reconnects: a
 *   success, not a failure;
 * - a connect refused once `refusalAllowedAfter` has passed (the server stopped listening)
 *   stops the worker: that request never reached a server and is not counted;
 * - anything else is a failure: a connect refused earlier, a non-2xx status, and any socket
 *   error or close on a connection that had been established (a request on its way cut off).
 */

export interface LoadReport {
  ok: number;
  failed: number;
  /** The first failures, described. */
  failures: string[];
  /** Connects refused after the server stopped listening (not requests: never sent). */
  refused: number;
  /** Responses that carried Connection: close. */
  connectionClose: number;
  connectionsOpened: number;
}

export interface LoadOptions {
  port: number;
  path: string;
  headers?: Record<string, string>;
  connections: number;
  /** performance.now() after which a refused connect means "stopped listening". */
  refusalAllowedAfter(): number;
}

export interface Load {
  /** Connections open right now. */
  open(): number;
  /** Successful responses so far. */
  ok(): number;
  /** Stops issuing requests, waits for the workers, returns the counts. */
  stop(): Promise<LoadReport>;
  /** Resolves when every worker has ended by itself (refused after the server stopped). */
  finished: Promise<LoadReport>;
}

const EXCHANGE_TIMEOUT_MS = 30_000;

export function startKeepAliveLoad(options: LoadOptions): Load {
  const report: LoadReport = {
    ok: 0,
    failed: 0,
    failures: [],
    refused: 0,
    connectionClose: 0,
    connectionsOpened: 0,
  };
  let running = true;
  let open = 0;
  const fail = (what: string) => {
    report.failed += 1;
    if (report.failures.length < 20) report.failures.push(what);
  };
  const request = Buffer.from(
    `GET ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\n${Object.entries(
      options.headers ?? {},
    )
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  );

  async function worker() {
    let socket: Socket | undefined;
    while (running) {
      if (!socket) {
        const connected = await connectTo(options.port);
        if ('error' in connected) {
          if (
            connected.error === 'ECONNREFUSED' &&
            performance.now() > options.refusalAllowedAfter()
          ) {
            report.refused += 1;
            return;
          }
          fail(`connect: ${connected.error}`);
          await Bun.sleep(20);
          continue;
        }
        socket = connected.socket;
        report.connectionsOpened += 1;
        open += 1;
      }
      const result = await exchange(socket, request);
      if ('error' in result) {
        fail(`established connection: ${result.error}`);
      } else if (result.status < 200 || result.status > 299) {
        fail(`status ${result.status}`);
      } else {
        report.ok += 1;
      }
      const closing = 'error' in result || result.close;
      if (!('error' in result) && result.close) report.connectionClose += 1;
      if (closing) {
        socket.destroy();
        socket = undefined;
        open -= 1;
      }
    }
    if (socket) {
      socket.destroy();
      open -= 1;
    }
  }

  const workers = Array.from({ length: options.connections }, worker);
  const finished = Promise.all(workers).then(() => report);
  return {
    open: () => open,
    ok: () => report.ok,
    finished,
    async stop() {
      running = false;
      return finished;
    },
  };
}

function connectTo(port: number): Promise<{ socket: Socket } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve({ socket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ error: err.code ?? err.message }),
    );
  });
}

type Exchange = { status: number; close: boolean } | { error: string };

/** Writes one request and reads one response (Content-Length framed). */
function exchange(socket: Socket, request: Buffer): Promise<Exchange> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const done = (result: Exchange) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
      if (!Number.isFinite(length)) return done({ error: `unframed response: ${head}` });
      if (buffered.length < end + 4 + length) return;
      done({ status, close: /\r\nconnection: *close/i.test(head) });
    };
    const onError = (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message });
    const onClose = () => done({ error: 'closed before the response' });
    const timer = setTimeout(() => done({ error: 'no response in 30 s' }), EXCHANGE_TIMEOUT_MS);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(request);
  });
}
