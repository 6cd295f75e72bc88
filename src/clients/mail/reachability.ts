import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Where SMTP_URL points, without its credentials (safe to show an operator). */
export function smtpAddress(url: string): { host: string; port: number; secure: boolean } {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  return { host: parsed.hostname, port: Number(parsed.port || (secure ? 465 : 25)), secure };
}

/**
 * Resolves when the SMTP server at `url` greets (220) within `timeoutMs`, then says QUIT;
 * rejects with the reason otherwise. Sends no credentials and no mail.
 */
export function smtpGreets(url: string, timeoutMs: number): Promise<void> {
  const { host, port, secure } = smtpAddress(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = secure
      ? tlsConnect({ host, port, servername: host })
      : netConnect({ host, port });
    let received = '';
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.end('QUIT\r\n');
        resolve();
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`no greeting within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n');
      if (end === -1) return;
      const line = received.slice(0, end);
      finish(line.startsWith('220') ? undefined : new Error(`greeted with "${line.slice(0, 80)}"`));
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('connection closed before the greeting')));
  });
}
