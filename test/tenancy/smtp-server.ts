import { createServer, type Server } from 'node:net';

/**
 * A loopback SMTP server for tests: speaks enough RFC 5321 (EHLO, AUTH PLAIN, MAIL, RCPT,
 * DATA, QUIT) over a real socket to receive what the server sends, and records it.
 */
export interface Received {
  auth?: string;
  from: string;
  to: string[];
  data: string;
}

export interface FakeSmtp {
  port: number;
  received: Received[];
  /** Answer RCPT TO with this code instead of 250 (e.g. 550). */
  rcptCode: number;
  close(): Promise<void>;
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const state: FakeSmtp = { port: 0, received: [], rcptCode: 250, close: async () => {} };
  const server: Server = createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current: Received = { from: '', to: [], data: '' };
    const say = (line: string) => socket.write(`${line}\r\n`);
    say('220 fake-smtp ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          state.received.push(current);
          current = { from: '', to: [], data: '' };
          say('250 queued');
          continue;
        }
        const i = buffer.indexOf('\r\n');
        if (i === -1) return;
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          say('250-fake-smtp');
          say('250 AUTH PLAIN');
        } else if (verb === 'AUTH') {
          current.auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8');
          say('235 ok');
        } else if (verb === 'MAIL') {
          current.from = line.slice(10).replace(/[<>]/g, '');
          say('250 ok');
        } else if (verb === 'RCPT') {
          current.to.push(line.slice(8).replace(/[<>]/g, ''));
          say(state.rcptCode === 250 ? '250 ok' : `${state.rcptCode} no such user`);
        } else if (verb === 'DATA') {
          inData = true;
          say('354 go ahead');
        } else if (verb === 'QUIT') {
          say('221 bye');
          socket.end();
          return;
        } else {
          say('502 not implemented');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
