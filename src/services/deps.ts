import type { Logger } from 'pino';
import type { SharedStore } from '../cache/shared-store';
import type { Config } from '../config';
import type { Database } from '../db/client';
import type { Clock } from '../lib/clock';

/** What createServices gives each area's factory; areas add the services they build on. */
export interface CoreDeps {
  db: Database;
  store: SharedStore;
  config: Config;
  logger: Logger;
  clock: Clock;
}
