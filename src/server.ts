/**
 * The process entry point and the only module with side effects: reads the environment,
 * opens the database and Redis, serves HTTP, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { count } from 'drizzle-orm';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { users } from './db/schema';
import { GracefulShutdown } from './http/graceful-shutdown';
import { openInfrastructure } from './infrastructure';
import { systemClock } from './lib/clock';
import { createLoggers } from './logger';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const { logger, accessLogger, flush: flushLogs } = createLoggers(config);

// A fault in a driver callback or a forgotten promise must not take every request of this
// instance down with it: log it and keep serving (requests fail on their own, as 503 or 500).
process.on('uncaughtException', (err) =>
  logger.error({ err }, 'uncaught exception; still serving'),
);
process.on('unhandledRejection', (err) =>
  logger.error({ err }, 'unhandled rejection; still serving'),
);

let infrastructure: Awaited<ReturnType<typeof openInfrastructure>>;
try {
  infrastructure = await openInfrastructure(config, logger);
} catch (err) {
  // Start-up cannot go on (an unwritable DATA_DIR, PostgreSQL unreachable or refusing us):
  // say why in one line; the orchestrator restarts the process.
  logger.fatal({ err }, 'cannot start');
  await flushLogs();
  console.error(`Cannot start: ${(err as Error).message}`);
  process.exit(1);
}
const { database, store } = infrastructure;
const instance = createApp({ config, database, store, logger, accessLogger, clock: systemClock });
const shutdown = new GracefulShutdown({
  delayMs: config.shutdownDelayMs,
  timeoutMs: config.shutdownTimeoutMs,
  logger,
});

const server = Bun.serve({
  port: config.port,
  hostname: config.host,
  // Bun refuses larger bodies itself, before our handler; ours answers with the error envelope
  // for anything between the two (the margin covers multipart framing).
  maxRequestBodySize: config.bodyLimitBytes + 1024,
  fetch: shutdown.wrap((request, srv) => instance.app.fetch(request, { server: srv })),
  websocket: instance.websocket,
});

const [userCount] = await database.db.select({ value: count() }).from(users);
const url = `http://localhost:${server.port}`;
logger.info(
  { url, database: database.kind, redis: store.status(), env: config.env },
  'kubegram server listening',
);
if (!config.isProduction) {
  console.log(`\n  Kubegram Server: ${url}   (API reference: ${url}/docs)\n`);
  if ((userCount?.value ?? 0) === 0) {
    console.log('  No accounts yet. Create the first one (it becomes admin):');
    console.log(
      `    curl -X POST ${url}/api/public/v1/auth/register -H 'Content-Type: application/json' \\\n      -d '{"email":"you@example.com","password":"a long passphrase here","name":"You"}'\n`,
    );
  }
}

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'signal received');
  const outcome = await shutdown.run(server, {
    stopReadiness: () => {
      instance.lifecycle.shuttingDown = true;
    },
    // Job WebSockets would hold the drain until its deadline: close them (1001), their clients
    // reconnect to another instance.
    closeLongLived: () => instance.services.codegen.hub.stop(),
    flush: async () => {
      await instance.stop();
      await Promise.allSettled([database.close(), store.close()]);
    },
  });
  logger.info({ outcome }, 'stopped');
  // The log is buffered: push the last lines out before exiting.
  await flushLogs();
  process.exit(outcome === 'flush-timed-out' ? 1 : 0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
