import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditLogs, personalAccessTokens } from '../../src/db/schema';
import { sha256Hex } from '../../src/lib/tokens';
import {
  isWellFormedPersonalAccessToken,
  newPersonalAccessToken,
} from '../../src/services/tokens/pat-format';
import { call } from '../helpers/http';
import { missingRedisServer } from '../helpers/requirements';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait';
import { startReplicas } from './helpers';

const AUTH = '/api/public/v1/auth';
let t: TestApp;
let admin: SeededUser;
let member: SeededUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createUser(t, { role: 'admin' });
  member = await createUser(t, { role: 'team_member' });
});
afterAll(() => t.close());

async function makeToken(owner: SeededUser, body: Record<string, unknown>) {
  const res = await call(t, 'POST', `${AUTH}/tokens`, { cookie: owner.token, body });
  expect(res.status).toBe(201);
  return res.body.data as { id: string; token: string; scopes: string[]; prefix: string };
}

describe('format', () => {
  test('kgm_ + 32 random base62 + 6 checksum; typos fail the checksum', () => {
    const token = newPersonalAccessToken();
    expect(token).toMatch(/^kgm_[0-9A-Za-z]{38}$/);
    expect(isWellFormedPersonalAccessToken(token)).toBe(true);
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    expect(isWellFormedPersonalAccessToken(token.slice(0, -1) + last)).toBe(false);
    const flipped = token.slice(0, 10) + (token[10] === 'Q' ? 'R' : 'Q') + token.slice(11);
    expect(isWellFormedPersonalAccessToken(flipped)).toBe(false);
    expect(new Set(Array.from({ length: 200 }, newPersonalAccessToken)).size).toBe(200);
  });

  test('a malformed kgm_ token is refused without a lookup', async () => {
    const fake = `kgm_${'A'.repeat(38)}`;
    const res = await call(t, 'GET', `${AUTH}/me`, { bearer: fake });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('cli-login / cli-logout', () => {
  test('email + password gives a PAT that works as Bearer everywhere, audited', async () => {
    const res = await call(t, 'POST', `${AUTH}/cli-login`, {
      body: { email: member.email, password: member.password, name: 'laptop' },
    });
    expect(res.status).toBe(200);
    expect(res.body.token).toStartWith('kgm_');
    expect(res.body.user.email).toBe(member.email);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [row] = await t.database.db
      .select()
      .from(personalAccessTokens)
      .where(eq(personalAccessTokens.tokenHash, sha256Hex(res.body.token)));
    expect(row?.name).toBe('laptop');
    expect(JSON.stringify(row)).not.toContain(res.body.token);
    const me = await call(t, 'GET', `${AUTH}/me`, { bearer: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(member.id);
    const audit = await t.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, 'auth.cli_login'));
    expect(audit.length).toBe(1);

    const out = await call(t, 'POST', `${AUTH}/cli-logout`, { bearer: res.body.token });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ message: 'Logged out' });
    expect((await call(t, 'GET', `${AUTH}/me`, { bearer: res.body.token })).status).toBe(401);
  });

  test('wrong password is the same 401 as the browser login', async () => {
    const res = await call(t, 'POST', `${AUTH}/cli-login`, {
      body: { email: member.email, password: 'wrong-password-123456' },
      ip: '10.77.0.1',
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
    expect(JSON.stringify(res.body)).not.toContain('token');
  });
});

describe('tokens API', () => {
  test('create shows the secret once; list never does', async () => {
    const created = await makeToken(member, { name: 'ci', scopes: ['read'] });
    expect(created.token).toStartWith('kgm_');
    expect(created.prefix).toBe(created.token.slice(0, 8));
    const list = await call(t, 'GET', `${AUTH}/tokens`, { cookie: member.token });
    expect(list.status).toBe(200);
    const mine = list.body.data.find((x: { id: string }) => x.id === created.id);
    expect(mine).toMatchObject({ name: 'ci', scopes: ['read'], lastUsedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(created.token);
  });

  test('a read token reads but gets 403 on every write', async () => {
    const { token } = await makeToken(member, { name: 'ro', scopes: ['read'] });
    expect((await call(t, 'GET', `${AUTH}/me`, { bearer: token })).status).toBe(200);
    expect((await call(t, 'GET', `${AUTH}/tokens`, { bearer: token })).status).toBe(200);
    const write = await call(t, 'POST', `${AUTH}/tokens`, {
      bearer: token,
      body: { name: 'x' },
    });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('FORBIDDEN');
    const company = await call(t, 'POST', '/api/public/v1/companies', {
      bearer: token,
      body: { name: 'Nope' },
    });
    expect(company.status).toBe(403);
    // Ending itself is always allowed.
    expect((await call(t, 'POST', `${AUTH}/cli-logout`, { bearer: token })).status).toBe(200);
  });

  test('write tokens cannot use the admin API; admin scope only for admins', async () => {
    const refused = await call(t, 'POST', `${AUTH}/tokens`, {
      cookie: member.token,
      body: { name: 'too-strong', scopes: ['admin'] },
    });
    expect(refused.status).toBe(403);
    const write = await makeToken(admin, { name: 'w', scopes: ['write'] });
    const viaWrite = await call(t, 'GET', '/api/v1/admin/audit-logs', { bearer: write.token });
    expect(viaWrite.status).toBe(403);
    const full = await makeToken(admin, { name: 'a', scopes: ['admin'] });
    const viaAdmin = await call(t, 'GET', '/api/v1/admin/audit-logs', { bearer: full.token });
    expect(viaAdmin.status).toBe(200);
    // A token cannot mint a stronger one.
    const escalate = await call(t, 'POST', `${AUTH}/tokens`, {
      bearer: write.token,
      body: { name: 'escalate', scopes: ['admin'] },
    });
    expect(escalate.status).toBe(403);
  });

  test('a token creating a token without scopes gets at most its own', async () => {
    const write = await makeToken(admin, { name: 'w-only', scopes: ['write'] });
    const res = await call(t, 'POST', `${AUTH}/tokens`, {
      bearer: write.token,
      body: { name: 'child' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.scopes).toEqual(['read', 'write']);
  });

  test('bad input is a 400, someone else’s token a 404', async () => {
    const bad = await call(t, 'POST', `${AUTH}/tokens`, {
      cookie: member.token,
      body: { name: 'x', scopes: ['root'] },
    });
    expect(bad.status).toBe(400);
    const past = await call(t, 'POST', `${AUTH}/tokens`, {
      cookie: member.token,
      body: { name: 'x', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    const theirs = await makeToken(admin, { name: 'admins' });
    const del = await call(t, 'DELETE', `${AUTH}/tokens/${theirs.id}`, { cookie: member.token });
    expect(del.status).toBe(404);
    expect((await call(t, 'GET', `${AUTH}/me`, { bearer: theirs.token })).status).toBe(200);
  });

  test('expired tokens stop working', async () => {
    const created = await makeToken(member, { name: 'short', expiresInDays: 1 });
    expect((await call(t, 'GET', `${AUTH}/me`, { bearer: created.token })).status).toBe(200);
    await t.database.db
      .update(personalAccessTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(personalAccessTokens.id, created.id));
    // Cached copies carry the expiry too; a fresh instance reads it from the database.
    const other = await createTestApp({ database: t.database, redisUrl: 'memory' });
    try {
      expect((await call(other, 'GET', `${AUTH}/me`, { bearer: created.token })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  test('last_used_at is written in batches, not per request', async () => {
    const created = await makeToken(member, { name: 'usage' });
    for (let i = 0; i < 5; i++) await call(t, 'GET', `${AUTH}/me`, { bearer: created.token });
    const before = await t.database.db
      .select()
      .from(personalAccessTokens)
      .where(eq(personalAccessTokens.id, created.id));
    expect(before[0]?.lastUsedAt).toBeNull();
    await t.instance.services.tokens.pats.flushUsage();
    const after = await t.database.db
      .select()
      .from(personalAccessTokens)
      .where(eq(personalAccessTokens.id, created.id));
    expect(after[0]?.lastUsedAt).toBeInstanceOf(Date);
  });

  test('disabling the owner stops their tokens at once', async () => {
    const victim = await createUser(t, { role: 'team_member' });
    const created = await makeToken(victim, { name: 'soon-dead' });
    expect((await call(t, 'GET', `${AUTH}/me`, { bearer: created.token })).status).toBe(200);
    const patch = await call(t, 'PATCH', `/api/public/v1/users/${victim.id}`, {
      cookie: admin.token,
      body: { disabled: true },
    });
    expect(patch.status).toBe(200);
    expect((await call(t, 'GET', `${AUTH}/me`, { bearer: created.token })).status).toBe(401);
  });
});

describe.skipIf(missingRedisServer())('revocation across instances', () => {
  test('a token revoked on one instance fails on another within a second', async () => {
    const replicas = await startReplicas(t, 'kgpat');
    const { a, b } = replicas;
    try {
      const created = await makeToken(member, { name: 'shared' });
      // Both instances cache it.
      expect((await call(a.t, 'GET', `${AUTH}/me`, { bearer: created.token })).status).toBe(200);
      expect((await call(b.t, 'GET', `${AUTH}/me`, { bearer: created.token })).status).toBe(200);
      const del = await call(a.t, 'DELETE', `${AUTH}/tokens/${created.id}`, {
        cookie: member.token,
      });
      expect(del.status).toBe(200);
      const started = Date.now();
      const status = await waitFor(
        async () => (await call(b.t, 'GET', `${AUTH}/me`, { bearer: created.token })).status,
        { until: (s) => s === 401, timeoutMs: 1000, what: 'B to refuse the revoked token' },
      );
      expect(status).toBe(401);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await replicas.close();
    }
  });
});
