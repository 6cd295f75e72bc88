import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * A small SMTP client (RFC 5321) for the few mails the server sends (invitations): EHLO,
 * optional AUTH PLAIN, MAIL/RCPT/DATA, QUIT. `smtps://` uses implicit TLS; `smtp://` is plain
 * (meant for a local relay). Every exchange has a deadline; failures reject, callers decide.
 */

export interface SmtpConfig {
  url: string;
  from: string;
  timeoutMs: number;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

class Reader {
  private buffer = '';
  private waiting: ((line: string) => void) | undefined;
  private lines: string[] = [];
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i = this.buffer.indexOf('\r\n');
      while (i !== -1) {
        this.lines.push(this.buffer.slice(0, i));
        this.buffer = this.buffer.slice(i + 2);
        i = this.buffer.indexOf('\r\n');
      }
      this.flush();
    });
    const fail = (err: Error) => {
      this.failure = err;
      this.flush();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('SMTP connection closed')));
  }

  private flush() {
    if (!this.waiting) return;
    const line = this.lines.shift();
    if (line !== undefined) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(line);
    } else if (this.failure) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(`000 ${this.failure.message}`);
    }
  }

  line(): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.flush();
    });
  }

  /** A whole (possibly multi-line) reply: `250-...` lines end with `250 ...`. */
  async reply(): Promise<{ code: number; text: string }> {
    const texts: string[] = [];
    for (;;) {
      const line = await this.line();
      texts.push(line.slice(4));
      if (line[3] !== '-') return { code: Number(line.slice(0, 3)), text: texts.join('\n') };
    }
  }
}

/** Header values never carry line breaks (no header injection). */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

export function buildMessage(from: string, message: MailMessage, now: Date): string {
  const body = message.text
    .replace(/\r?\n/g, '\r\n')
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? `.${l}` : l)) // dot-stuffing
    .join('\r\n');
  return [
    `From: ${oneLine(from)}`,
    `To: ${oneLine(message.to)}`,
    `Subject: ${oneLine(message.subject)}`,
    `Date: ${now.toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
  ].join('\r\n');
}

export class SmtpMailer implements Mailer {
  constructor(private readonly config: SmtpConfig) {}

  async send(message: MailMessage): Promise<void> {
    const url = new URL(this.config.url);
    const secure = url.protocol === 'smtps:';
    const port = Number(url.port || (secure ? 465 : 25));
    const socket: Socket = secure
      ? tlsConnect({ host: url.hostname, port, servername: url.hostname })
      : netConnect({ host: url.hostname, port });
    const timer = setTimeout(
      () => socket.destroy(new Error('SMTP timeout')),
      this.config.timeoutMs,
    );
    const reader = new Reader(socket);
    const expect = async (codes: number[], step: string) => {
      const reply = await reader.reply();
      if (!codes.includes(reply.code)) {
        throw new Error(`SMTP ${step} refused: ${reply.code} ${reply.text.slice(0, 200)}`);
      }
      return reply;
    };
    const say = (line: string) => socket.write(`${line}\r\n`);
    try {
      await expect([220], 'greeting');
      say(`EHLO ${oneLine(url.searchParams.get('helo') ?? 'kubegram')}`);
      await expect([250], 'EHLO');
      if (url.username) {
        const user = decodeURIComponent(url.username);
        const pass = decodeURIComponent(url.password);
        say(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`);
        await expect([235], 'AUTH');
      }
      say(`MAIL FROM:<${oneLine(this.config.from)}>`);
      await expect([250], 'MAIL FROM');
      say(`RCPT TO:<${oneLine(message.to)}>`);
      await expect([250, 251], 'RCPT TO');
      say('DATA');
      await expect([354], 'DATA');
      socket.write(`${buildMessage(this.config.from, message, new Date())}\r\n.\r\n`);
      await expect([250], 'message');
      say('QUIT');
      await reader.reply().catch(() => undefined);
    } finally {
      clearTimeout(timer);
      socket.destroy();
    }
  }
}
