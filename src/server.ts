/**
 * The process entry point and the only module with side effects: reads the environment,
 * opens the database and Redis, serves HTTP, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { count } from 'drizzle-orm';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { users } from './db/schema';
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
const { database, store } = await openInfrastructure(config, logger);
const instance = createApp({ config, database, store, logger, accessLogger, clock: systemClock });

const server = Bun.serve({
  port: config.port,
  hostname: config.host,
  // Bun refuses larger bodies itself, before our handler; ours answers with the error envelope
  // for anything between the two (the margin covers multipart framing).
  maxRequestBodySize: config.bodyLimitBytes + 1024,
  fetch: (request, srv) => instance.app.fetch(request, { server: srv }),
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
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // Readiness goes red first so the load balancer stops sending new requests.
  instance.lifecycle.shuttingDown = true;
  // Open job WebSockets would hold the drain below until its timeout: close them now (1001),
  // their clients reconnect to another instance.
  instance.services.codegen.hub.stop();
  const drained = server.stop(false);
  const timedOut = Bun.sleep(config.shutdownTimeoutMs).then(() => 'timeout' as const);
  if ((await Promise.race([drained, timedOut])) === 'timeout') {
    logger.warn('in-flight requests did not finish in time; closing them');
    server.stop(true);
  }
  await instance.stop();
  await Promise.allSettled([database.close(), store.close()]);
  logger.info('stopped');
  // The log is buffered: push the last lines out before exiting.
  await flushLogs();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
