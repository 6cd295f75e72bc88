import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditLogs, users } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser, STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: SeededUser;
let member: SeededUser;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createUser(t, { email: 'root@example.com' });
  member = await createUser(t, { email: 'member@example.com' });
});
afterAll(() => t.close());

const USERS = '/api/public/v1/users';
const me = (token: string) => call(t, 'GET', '/api/public/v1/auth/me', { bearer: token });

describe('GET /users', () => {
  test('admin lists with pagination and filters', async () => {
    await createUser(t, { role: 'manager', email: 'mgr@example.com' });
    const all = await call(t, 'GET', `${USERS}?limit=2&page=1`, { bearer: admin.token });
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(2);
    expect(all.body.pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
    const managers = await call(t, 'GET', `${USERS}?role=manager`, { bearer: admin.token });
    expect(managers.body.data.map((u: { email: string }) => u.email)).toEqual(['mgr@example.com']);
    const byEmail = await call(t, 'GET', `${USERS}?email=MEMBER`, { bearer: admin.token });
    expect(byEmail.body.data.map((u: { email: string }) => u.email)).toEqual([
      'member@example.com',
    ]);
    const sorted = await call(t, 'GET', `${USERS}?sort=-email`, { bearer: admin.token });
    expect(sorted.body.data[0].email).toBe('root@example.com');
    expect(JSON.stringify(all.body)).not.toContain('argon2');
  });

  test('LIKE wildcards in the filter are literal', async () => {
    const res = await call(t, 'GET', `${USERS}?email=%25`, { bearer: admin.token });
    expect(res.body.data).toEqual([]);
  });

  test('out-of-range pagination is 400', async () => {
    for (const q of ['limit=0', 'limit=101', 'page=0', 'page=abc', 'sort=password']) {
      const res = await call(t, 'GET', `${USERS}?${q}`, { bearer: admin.token });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  test('non-admins are refused', async () => {
    expect((await call(t, 'GET', USERS, { bearer: member.token })).status).toBe(403);
    expect((await call(t, 'GET', USERS)).status).toBe(401);
  });
});

describe('GET /users/:id', () => {
  test('self and admin can read; another user gets 404', async () => {
    expect((await call(t, 'GET', `${USERS}/${member.id}`, { bearer: member.token })).status).toBe(
      200,
    );
    expect((await call(t, 'GET', `${USERS}/${member.id}`, { bearer: admin.token })).status).toBe(
      200,
    );
    expect((await call(t, 'GET', `${USERS}/${admin.id}`, { bearer: member.token })).status).toBe(
      404,
    );
    expect((await call(t, 'GET', `${USERS}/999999`, { bearer: admin.token })).status).toBe(404);
  });

  test('bad ids are 400, never 500', async () => {
    for (const id of ['abc', '0', '-1', '99999999999', "1'%20or%201=1"]) {
      const res = await call(t, 'GET', `${USERS}/${id}`, { bearer: admin.token });
      expect(res.status).toBe(400);
    }
  });
});

describe('PATCH /users/:id', () => {
  test('a user changes their own name and avatar', async () => {
    const res = await call(t, 'PATCH', `${USERS}/${member.id}`, {
      bearer: member.token,
      body: { name: 'New Name', avatar: 'https://example.com/a.png' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'New Name', avatar: 'https://example.com/a.png' });
    expect((await me(member.token)).body.user.name).toBe('New Name');
  });

  test('mass assignment: a user cannot make themselves admin or re-enable themselves', async () => {
    const res = await call(t, 'PATCH', `${USERS}/${member.id}`, {
      bearer: member.token,
      body: { name: 'x', role: 'admin' },
    });
    expect(res.status).toBe(403);
    const [row] = await t.database.db
      .select()
      .from(users)
      .where(eq(users.id, Number(member.id)));
    expect(row!.role).toBe('team_member');
    expect(row!.name).toBe('New Name'); // nothing from the refused request was applied
  });

  test('unknown fields are dropped, never written', async () => {
    const res = await call(t, 'PATCH', `${USERS}/${member.id}`, {
      bearer: member.token,
      body: { email: 'hijack@example.com', passwordHash: 'x', id: 1, __proto__: { role: 'admin' } },
    });
    expect(res.status).toBe(200);
    const [row] = await t.database.db
      .select()
      .from(users)
      .where(eq(users.id, Number(member.id)));
    expect(row!.email).toBe('member@example.com');
    expect(row!.role).toBe('team_member');
  });

  test("another user's record is 404", async () => {
    const res = await call(t, 'PATCH', `${USERS}/${admin.id}`, {
      bearer: member.token,
      body: { name: 'pwn' },
    });
    expect(res.status).toBe(404);
  });

  test('role change by admin revokes the sessions at once and is audited', async () => {
    const u = await createUser(t);
    const res = await call(t, 'PATCH', `${USERS}/${u.id}`, {
      bearer: admin.token,
      body: { role: 'manager' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.role).toBe('manager');
    expect((await me(u.token)).status).toBe(401);
    const rows = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'user.role_changed'));
    expect(rows.find((r) => r.resourceId === u.id)?.details).toEqual({
      before: 'team_member',
      after: 'manager',
    });
  });

  test('disable revokes sessions and blocks login; enable allows login again', async () => {
    const u = await createUser(t);
    expect(
      (
        await call(t, 'PATCH', `${USERS}/${u.id}`, {
          bearer: admin.token,
          body: { disabled: true },
        })
      ).status,
    ).toBe(200);
    expect((await me(u.token)).status).toBe(401);
    const login = () =>
      call(t, 'POST', '/api/public/v1/auth/login', {
        body: { email: u.email, password: STRONG_PASSWORD },
        ip: '10.50.0.1',
      });
    expect((await login()).status).toBe(401);
    expect(
      (
        await call(t, 'PATCH', `${USERS}/${u.id}`, {
          bearer: admin.token,
          body: { disabled: false },
        })
      ).status,
    ).toBe(200);
    expect((await login()).status).toBe(200);
  });

  test('the last active admin cannot demote or disable themselves', async () => {
    const demote = await call(t, 'PATCH', `${USERS}/${admin.id}`, {
      bearer: admin.token,
      body: { role: 'team_member' },
    });
    expect(demote.status).toBe(409);
    const disable = await call(t, 'PATCH', `${USERS}/${admin.id}`, {
      bearer: admin.token,
      body: { disabled: true },
    });
    expect(disable.status).toBe(409);
    expect((await me(admin.token)).status).toBe(200);
  });

  test('invalid values are 400', async () => {
    for (const body of [
      { role: 'root' },
      { name: '' },
      { avatar: 'javascript:alert(1)' },
      { disabled: 'yes' },
    ]) {
      const res = await call(t, 'PATCH', `${USERS}/${member.id}`, { bearer: admin.token, body });
      expect(res.status).toBe(400);
    }
  });
});

describe('DELETE /users/:id', () => {
  test('admin soft-deletes: sessions revoked, login refused, row kept', async () => {
    const u = await createUser(t);
    const res = await call(t, 'DELETE', `${USERS}/${u.id}`, { bearer: admin.token });
    expect(res.status).toBe(200);
    expect((await me(u.token)).status).toBe(401);
    expect((await call(t, 'GET', `${USERS}/${u.id}`, { bearer: admin.token })).status).toBe(404);
    const [row] = await t.database.db
      .select()
      .from(users)
      .where(eq(users.id, Number(u.id)));
    expect(row!.deletedAt).not.toBeNull();
    const login = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: { email: u.email, password: STRONG_PASSWORD },
      ip: '10.51.0.1',
    });
    expect(login.status).toBe(401);
  });

  test('members cannot delete; deleted ids are 404', async () => {
    const u = await createUser(t);
    expect((await call(t, 'DELETE', `${USERS}/${u.id}`, { bearer: member.token })).status).toBe(
      403,
    );
    await call(t, 'DELETE', `${USERS}/${u.id}`, { bearer: admin.token });
    expect((await call(t, 'DELETE', `${USERS}/${u.id}`, { bearer: admin.token })).status).toBe(404);
  });
});

describe('GET /api/v1/admin/audit-logs', () => {
  test('admin reads, filters and pages the audit log', async () => {
    const res = await call(t, 'GET', '/api/v1/admin/audit-logs?action=auth.register&limit=2', {
      bearer: admin.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data.every((r: { action: string }) => r.action === 'auth.register')).toBe(true);
    expect(res.body.pagination.total).toBeGreaterThan(2);
    const mine = await call(t, 'GET', `/api/v1/admin/audit-logs?userId=${member.id}`, {
      bearer: admin.token,
    });
    expect(mine.body.data.every((r: { userId: string }) => r.userId === member.id)).toBe(true);
    const future = await call(
      t,
      'GET',
      `/api/v1/admin/audit-logs?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
      { bearer: admin.token },
    );
    expect(future.body.data).toEqual([]);
    const past = await call(t, 'GET', `/api/v1/admin/audit-logs?to=2000-01-01T00:00:00Z`, {
      bearer: admin.token,
    });
    expect(past.body.pagination.total).toBe(0);
  });

  test('non-admins are refused; bad filters are 400', async () => {
    expect(
      (await call(t, 'GET', '/api/v1/admin/audit-logs', { bearer: member.token })).status,
    ).toBe(403);
    expect(
      (await call(t, 'GET', '/api/v1/admin/audit-logs?from=yesterday', { bearer: admin.token }))
        .status,
    ).toBe(400);
    expect(
      (await call(t, 'GET', '/api/v1/admin/audit-logs?userId=abc', { bearer: admin.token })).status,
    ).toBe(400);
  });
});
