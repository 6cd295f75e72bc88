import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** JSON logs; anything that looks like a credential is censored even if someone logs it by mistake. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
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
  });
}
