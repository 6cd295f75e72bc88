import pino, { type Logger } from 'pino';
import type { Config } from './config';

/**
 * JSON logs; anything that looks like a credential is censored even if someone logs it by
 * mistake. Writes are buffered (4 KiB) instead of one write(2) per line: the access log was
 * the largest per-request cost in the benchmark. server.ts flushes at shutdown.
 */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  return pino(
    {
      level: config.logLevel,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'cookie',
          '*.cookie',
          'authorization',
          '*.authorization',
          'headers.cookie',
          'headers.authorization',
          'clientSecret',
          '*.clientSecret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
