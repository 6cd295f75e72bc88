import { eq } from 'drizzle-orm';
import { companies } from '../../src/db/schema';
import { call } from '../helpers/http';
import type { TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';

export const GRAPH = {
  nodes: [
    { id: 'web', type: 'ingress', config: { host: 'demo.example.com' } },
    { id: 'api', type: 'service', config: { port: 8080 } },
    { id: 'db', type: 'database' },
  ],
  edges: [
    { source: 'web', target: 'api' },
    { source: 'api', target: 'db' },
  ],
};

export function codegenBody(
  companyId: string,
  project: { id?: string; name?: string; teamId?: string },
  overrides: Record<string, unknown> = {},
) {
  return {
    input: { modelProvider: 'builtin', modelName: 'deterministic', graph: GRAPH },
    context: ['production'],
    companyId,
    project,
    ...overrides,
  };
}

/** Sets a company's balance directly (what an admin's top-up would do). */
export async function setTokens(t: TestApp, companyId: string, tokens: number) {
  await t.database.db.update(companies).set({ tokens }).where(eq(companies.id, companyId));
}

export async function tokensOf(t: TestApp, companyId: string): Promise<number> {
  const [row] = await t.database.db
    .select({ tokens: companies.tokens })
    .from(companies)
    .where(eq(companies.id, companyId));
  return row!.tokens;
}

/** Polls the status endpoint until the job reaches `status`. */
export function waitForStatus(
  t: TestApp,
  token: string,
  jobId: string,
  status: string,
  timeoutMs = 5000,
) {
  return waitFor(
    async () => {
      const res = await call(t, 'GET', `/api/public/v1/graph/codegen/${jobId}`, { bearer: token });
      return res.body?.data?.status === status ? res.body.data : undefined;
    },
    { timeoutMs, what: `job ${jobId} to be ${status}` },
  );
}
