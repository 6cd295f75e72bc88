import { connect } from 'node:net';
import type { Server } from 'bun';
import type { TestApp } from '../helpers/test-app';

/** A real listening server for a test app, with the app's WebSocket handler. */
export function serve(t: TestApp): Server<unknown> {
  return Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request, server) => t.instance.app.fetch(request, { server }),
    websocket: t.instance.websocket as never,
  });
}

export interface WsSession {
  messages: any[];
  opened: boolean;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `n` messages arrived. */
  received(n: number, timeoutMs?: number): Promise<any[]>;
  close(): void;
}

export function openWs(url: string, headers: Record<string, string> = {}): WsSession {
  const ws = new WebSocket(url, { headers } as never);
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  const session: WsSession = {
    messages,
    opened: false,
    closed: new Promise((resolve) => {
      ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason }));
    }),
    async received(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${n} messages, got ${JSON.stringify(messages)}`);
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return messages;
    },
    close: () => ws.close(),
  };
  ws.addEventListener('open', () => {
    session.opened = true;
  });
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(String(e.data)));
    for (const wake of waiters.splice(0)) wake();
  });
  return session;
}

/**
 * A hand-made WebSocket handshake over TCP: shows the HTTP status of a refused upgrade, and
 * after a successful one the raw frames (to see the server's pings).
 */
export function rawHandshake(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  frames: () => Array<{ opcode: number; payload: Buffer }>;
  end(): void;
}> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let status = 0;
    let headerDone = false;
    const frames: Array<{ opcode: number; payload: Buffer }> = [];
    socket.on('error', reject);
    socket.on('connect', () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ];
      socket.write(lines.join('\r\n'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!headerDone) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(buffer.subarray(0, end).toString().split(' ')[1]);
        const head = buffer.subarray(0, end).toString();
        buffer = buffer.subarray(end + 4);
        headerDone = true;
        if (status !== 101) {
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (length > 0) buffer = buffer.subarray(length);
        }
        resolve({ status, frames: () => frames, end: () => socket.destroy() });
      }
      // Server frames are unmasked: opcode, 7-bit or 16-bit length, payload.
      while (buffer.length >= 2 && status === 101) {
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        }
        if (buffer.length < offset + length) return;
        frames.push({
          opcode: buffer[0]! & 0x0f,
          payload: buffer.subarray(offset, offset + length),
        });
        buffer = buffer.subarray(offset + length);
      }
    });
  });
}
