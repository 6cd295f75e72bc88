import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { auditLogs, sessions, users } from '../../src/db/schema';
import { call } from '../helpers/http';
import { createUser, type SeededUser, STRONG_PASSWORD } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: SeededUser;
beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: String(1024 * 1024) } });
  admin = await createUser(t);
});
afterAll(() => t.close());

const REGISTER = '/api/public/v1/auth/register';

/** Row counts of every table: hostile requests must leave them as they were. */
async function snapshot() {
  const db = t.database.db;
  const [u, s] = await Promise.all([db.select().from(users), db.select().from(sessions)]);
  return { users: u.length, sessions: s.length };
}

describe('hostile input is a 4xx and changes nothing', () => {
  test('deeply nested JSON', async () => {
    const before = await snapshot();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await call(t, 'POST', REGISTER, { body: deep });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const deepObject = `{"email":"a@example.com","password":"${STRONG_PASSWORD}","name":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res2 = await call(t, 'POST', REGISTER, { body: deepObject });
    expect(res2.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  test('__proto__ and constructor keys do not pollute or escalate', async () => {
    const body = `{"email":"proto@example.com","password":"${STRONG_PASSWORD}","name":"P","__proto__":{"role":"admin","isAdmin":true},"constructor":{"prototype":{"polluted":true}},"role":"admin"}`;
    const res = await call(t, 'POST', REGISTER, { body, ip: '10.9.0.1' });
    expect(res.status).toBe(201);
    expect(res.body.user.role).toBe('team_member');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  test('10 MB body: 413, nothing read into the database', async () => {
    const before = await snapshot();
    const huge = JSON.stringify({
      email: 'big@example.com',
      password: STRONG_PASSWORD,
      name: 'x'.repeat(10 * 1024 * 1024),
    });
    const res = await call(t, 'POST', REGISTER, { body: huge, ip: '10.9.0.2' });
    expect(res.status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });

  test('SQL-looking strings are data, not code', async () => {
    const evil = "x'); drop table users; --";
    const login = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: { email: `${evil}@example.com`, password: evil },
      ip: '10.9.0.3',
    });
    expect(login.status).toBe(401);
    const search = await call(
      t,
      'GET',
      `/api/public/v1/users?email=${encodeURIComponent("' or 1=1 --")}`,
      { bearer: admin.token },
    );
    expect(search.status).toBe(200);
    expect(search.body.data).toEqual([]);
    const name = await call(t, 'PATCH', `/api/public/v1/users/${admin.id}`, {
      bearer: admin.token,
      body: { name: "Robert'); DROP TABLE users;--" },
    });
    expect(name.status).toBe(200);
    expect(name.body.data.name).toBe("Robert'); DROP TABLE users;--");
    expect((await t.database.db.select().from(users)).length).toBeGreaterThan(0);
    expect((await t.database.db.select().from(auditLogs)).length).toBeGreaterThan(0);
  });

  test('unicode email tricks: fullwidth folds to ASCII (one account), invisible characters refused', async () => {
    const victim = await createUser(t, { email: 'victim@example.com' });
    const before = await snapshot();
    const tricks = [
      ['ｖｉｃｔｉｍ@example.com', 409],
      ['VICTIM@EXAMPLE.COM', 409],
      ['victim\u200b@example.com', 400],
      ['vic\u200dtim@example.com', 400],
      ['victim@example.com\u0000', 400],
      ['\u202evictim@example.com', 400],
      ['victim@exa\u00admple.com', 400],
    ] as const;
    for (const [email, status] of tricks) {
      const res = await call(t, 'POST', REGISTER, {
        body: { email, password: STRONG_PASSWORD, name: 'Trick' },
        ip: '10.9.1.1',
      });
      expect(`${email}:${res.status}`).toBe(`${email}:${status}`);
    }
    expect(await snapshot()).toEqual(before);
    const login = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: { email: 'ｖｉｃｔｉｍ@example.com', password: STRONG_PASSWORD },
      ip: '10.9.1.2',
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(victim.id);
  });

  test('wrong JSON types and huge strings in fields are 400', async () => {
    for (const body of [
      [],
      'string',
      42,
      null,
      { email: ['a'], password: STRONG_PASSWORD, name: 'x' },
      { email: 'a@example.com', password: STRONG_PASSWORD, name: 'x'.repeat(201) },
    ]) {
      const res = await call(t, 'POST', REGISTER, { body: JSON.stringify(body), ip: '10.9.2.1' });
      expect(res.status).toBe(400);
    }
  });

  test('NUL characters anywhere are a 400, never a 500', async () => {
    const before = await snapshot();
    const reg = await call(t, 'POST', REGISTER, {
      body: { email: 'nul@example.com', password: STRONG_PASSWORD, name: 'a\u0000b' },
      ip: '10.9.4.1',
    });
    expect(reg.status).toBe(400);
    expect(await snapshot()).toEqual(before);
    const patch = await call(t, 'PATCH', `/api/public/v1/users/${admin.id}`, {
      bearer: admin.token,
      body: { name: 'x\u0000y' },
    });
    expect(patch.status).toBe(400);
    const search = await call(t, 'GET', '/api/public/v1/users?email=%00', { bearer: admin.token });
    expect(search.status).toBe(400);
    const login = await call(t, 'POST', '/api/public/v1/auth/login', {
      body: { email: 'a\u0000@example.com', password: 'x' },
      ip: '10.9.4.2',
    });
    expect([400, 401]).toContain(login.status);
  });

  test('text PostgreSQL cannot store (NUL, a lone surrogate) is a 400 naming the field', async () => {
    const before = await snapshot();
    const probes: [string, string, unknown, string][] = [
      ['PATCH', `/api/public/v1/users/${admin.id}`, { name: 'x\udc00' }, 'name'],
      ['POST', '/api/public/v1/auth/tokens', { name: 'ci\u0000' }, 'name'],
      ['POST', '/api/public/v1/auth/tokens', { name: '\ud83d' }, 'name'],
      ['GET', '/api/public/v1/users?email=a%00', undefined, 'email'],
    ];
    for (const [method, path, body, field] of probes) {
      const res = await call(t, method, path, { bearer: admin.token, body });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 400`);
      expect(res.body.details?.[0]?.path).toBe(field);
    }
    expect(await snapshot()).toEqual(before);
    const tokens = await call(t, 'GET', '/api/public/v1/auth/tokens', { bearer: admin.token });
    expect(tokens.body.data).toEqual([]);
  });

  test('errors never echo secrets', async () => {
    const secret = 'Zq9-leak-xy';
    const res = await call(t, 'POST', REGISTER, {
      body: { email: 'leak@example.com', password: secret, name: 'L' },
      ip: '10.9.3.1',
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain(secret);
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|select|insert/i);
  });
});
