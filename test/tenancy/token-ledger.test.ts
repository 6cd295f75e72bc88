import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

/** The ledger explains every balance: creation grants and admin changes are rows too. */
let t: TestApp;
let admin: SeededUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createUser(t);
});
afterAll(() => t.close());

const ledger = async (companyId: string) =>
  (
    await call(t, 'GET', `/api/public/v1/companies/${companyId}/ledger?limit=100`, {
      bearer: admin.token,
    })
  ).body.data as Array<{ amount: number; reason: string; balanceAfter: number }>;

describe('token ledger for balance changes outside jobs', () => {
  test('a grant at creation and admin changes are ledger rows that add up to the balance', async () => {
    const created = await call(t, 'POST', '/api/public/v1/companies', {
      bearer: admin.token,
      body: { name: 'Ledgered', tokens: 500 },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(await ledger(id)).toEqual([
      expect.objectContaining({ amount: 500, reason: 'company.initial_grant', balanceAfter: 500 }),
    ]);

    for (const tokens of [800, 300, 300]) {
      const res = await call(t, 'PATCH', `/api/public/v1/companies/${id}`, {
        bearer: admin.token,
        body: { tokens },
      });
      expect(res.status).toBe(200);
      expect(res.body.data.tokens).toBe(tokens);
    }
    const rows = await ledger(id);
    expect(rows.map((r) => [r.amount, r.reason, r.balanceAfter])).toEqual([
      [-500, 'company.admin_set', 300],
      [300, 'company.admin_set', 800],
      [500, 'company.initial_grant', 500],
    ]);
    expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(300);
  });

  test('a company created without tokens has an empty ledger', async () => {
    const created = await call(t, 'POST', '/api/public/v1/companies', {
      bearer: admin.token,
      body: { name: 'Empty' },
    });
    expect(await ledger(created.body.data.id)).toEqual([]);
  });
});
