import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathWithBun, startChild, waitForOk } from '../deploy/process';
import { freePort } from '../helpers/private-redis';

/**
 * `npm run dev:debug`: the development server with Bun's inspector on 0.0.0.0:6464, as the
 * product documents give it. The port is fixed by the script, so the test is skipped (saying
 * why) when something else already listens there.
 */

const INSPECTOR_PORT = 6464;
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

const busy = await listening(INSPECTOR_PORT);
if (busy) console.log(`[skip] dev:debug: port ${INSPECTOR_PORT} is already in use on this machine`);

const dataDir = mkdtempSync(join(tmpdir(), 'kg-dev-debug-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test.skipIf(busy)(
  'npm run dev:debug serves the app with the inspector on :6464',
  async () => {
    const port = await freePort();
    const server = startChild('npm', ['run', '-s', 'dev:debug'], {
      cwd: join(import.meta.dir, '../..'),
      env: {
        PATH: pathWithBun(),
        HOME: dataDir,
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
    });
    try {
      const up = await waitForOk(`http://127.0.0.1:${port}/api/public/v1/healthz/live`, server);
      expect({ up, output: up ? '' : server.output() }).toEqual({ up: true, output: '' });
      expect(await listening(INSPECTOR_PORT)).toBe(true);
      expect(server.output()).toContain(`0.0.0.0:${INSPECTOR_PORT}`);
    } finally {
      await server.stop();
    }
  },
  120_000,
);
