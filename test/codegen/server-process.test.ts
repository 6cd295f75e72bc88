import { afterAll, describe, expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/private-redis';
import { waitForLive } from '../helpers/wait';
import { startFakeKubeRag } from './kuberag-server';
import { openWs } from './ws-client';

/**
 * The real entry point (src/server.ts) serves the job WebSocket, and a SIGTERM closes open job
 * sockets with 1001 at once instead of letting them hold the shutdown until its timeout.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'kg-codegen-server-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('server process', () => {
  test('WebSocket over src/server.ts; SIGTERM closes it with 1001 and exits promptly', async () => {
    const rag = await startFakeKubeRag({ autoRun: false });
    const port = await freePort();
    const child = spawn(process.execPath, ['src/server.ts'], {
      cwd: join(import.meta.dir, '../..'),
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        KUBERAG_URL: rag.url,
        SHUTDOWN_TIMEOUT_MS: '20000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForLive(url);
      const reg = await fetch(`${url}/api/public/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'ws@example.com',
          password: 'shutdown passphrase 42',
          name: 'WS',
        }),
      });
      const token = /kubegram_session=([^;]+)/.exec(reg.headers.get('set-cookie') ?? '')![1]!;
      const api = async (method: string, path: string, body: unknown) => {
        const res = await fetch(`${url}/api/public/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return ((await res.json()) as any).data;
      };
      const company = await api('POST', '/companies', { name: 'Proc' });
      await api('PATCH', `/companies/${company.id}`, { tokens: 5000 });
      const org = await api('POST', '/organizations', { companyId: company.id, name: 'Org' });
      const team = await api('POST', '/teams', { organizationId: org.id, name: 'Team' });
      const job = await api('POST', '/graph/codegen', {
        input: {
          modelProvider: 'claude',
          modelName: 'm',
          graph: { nodes: [{ id: 'api', type: 'service' }], edges: [] },
        },
        companyId: company.id,
        project: { name: 'Proc', teamId: team.id },
      });
      expect(job.status).toBe('queued');

      const ws = openWs(
        `ws://127.0.0.1:${port}/api/public/v1/graph/codegen/${job.jobId}/subscribe`,
        {
          authorization: `Bearer ${token}`,
        },
      );
      await ws.received(1);
      expect(ws.messages[0]).toMatchObject({ jobId: job.jobId, status: 'queued' });

      const started = performance.now();
      child.kill('SIGTERM');
      expect((await ws.closed).code).toBe(1001);
      expect(await exited).toBe(0);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rag.stop();
    }
  }, 60_000);
});
