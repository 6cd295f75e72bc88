import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

/**
 * stdout through Bun's buffered file sink: one write(2) per 64 KiB or per 200 ms instead of
 * one per line. (pino's own async destination measured worse: it re-measures its growing
 * buffer on every line.) flush() before exiting.
 */
export interface LogDestination extends DestinationStream {
  flush(): Promise<void>;
}

export function stdoutDestination(): LogDestination {
  const sink = Bun.stdout.writer({ highWaterMark: 64 * 1024 });
  const timer = setInterval(() => sink.flush(), 200);
  timer.unref?.();
  return {
    write: (line: string) => {
      sink.write(line);
    },
    flush: async () => {
      await sink.flush();
    },
  };
}

const base = (config: Pick<Config, 'logLevel'>) => ({
  level: config.logLevel,
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});

export interface Loggers {
  /** General log: anything that looks like a credential is censored, even if logged by mistake. */
  logger: Logger;
  /**
   * The per-request access log. Its lines have a fixed shape with no credential in it
   * (request-context.ts), so it skips redaction, the costliest step of a log line.
   */
  accessLogger: Logger;
  flush(): Promise<void>;
}

export function createLoggers(
  config: Pick<Config, 'logLevel'>,
  destination: LogDestination = stdoutDestination(),
): Loggers {
  const logger = pino(
    {
      ...base(config),
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
  const accessLogger = pino(base(config), destination);
  return { logger, accessLogger, flush: () => destination.flush() };
}
