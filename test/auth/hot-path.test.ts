import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env';
import { onError } from '../../src/http/errors';
import {
  bearerToken,
  cookieValue,
  requireAnyRole,
  requireAuth,
  requireRole,
} from '../../src/http/middleware/auth';
import type { AuthContext } from '../../src/services/auth/types';
import { call } from '../helpers/http';
import { createUser } from '../helpers/seed';
import { createTestApp } from '../helpers/test-app';
import { deviceLogin } from '../tokens/helpers';

describe('authenticating a request stays off the database', () => {
  test('a warm session answers /auth/me with the database gone', async () => {
    const t = await createTestApp({ redisUrl: 'memory' });
    const user = await createUser(t);
    expect((await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token })).status).toBe(
      200,
    );
    await t.database.close();
    const me = await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
    await t.close();
  });

  test('a warm personal access token and a warm access JWT answer with the database gone', async () => {
    const t = await createTestApp({ redisUrl: 'memory' });
    const user = await createUser(t);
    const pat = await call(t, 'POST', '/api/public/v1/auth/tokens', {
      cookie: user.token,
      body: { name: 'hot path', scopes: ['read'] },
    });
    const jwt = (await deviceLogin(t, user)).access_token;
    const tokens = [pat.body.data.token, jwt];
    for (const token of tokens) {
      expect((await call(t, 'GET', '/api/public/v1/auth/me', { bearer: token })).status).toBe(200);
    }
    await t.database.close();
    for (const token of tokens) {
      const me = await call(t, 'GET', '/api/public/v1/auth/me', { bearer: token });
      expect(me.status).toBe(200);
      expect(me.body.user.id).toBe(user.id);
    }
    await t.close();
  });
});

describe('reading the credential off a request', () => {
  test('Bearer: the scheme in any case, spaces around the token tolerated', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER   abc  ')).toBe('abc');
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken('Bearer    ')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearerabc')).toBeUndefined();
  });

  test('the session cookie among others, never a cookie whose name merely starts the same', () => {
    const name = 'kubegram_session';
    expect(cookieValue('kubegram_session=abc', name)).toBe('abc');
    expect(cookieValue('a=1; kubegram_session=abc; b=2', name)).toBe('abc');
    expect(cookieValue('a=1;kubegram_session=abc', name)).toBe('abc');
    expect(cookieValue('kubegram_session2=x; kubegram_session=abc', name)).toBe('abc');
    expect(cookieValue('kubegram_session2=x', name)).toBeUndefined();
    expect(cookieValue('xkubegram_session=x', name)).toBeUndefined();
    expect(cookieValue('kubegram_session=', name)).toBeUndefined();
    expect(cookieValue('kubegram_session=first; kubegram_session=second', name)).toBe('first');
    expect(cookieValue('', name)).toBeUndefined();
  });

  test('a lower-case scheme and a cookie among others authenticate end to end', async () => {
    const t = await createTestApp({ redisUrl: 'memory' });
    const user = await createUser(t);
    const lower = await call(t, 'GET', '/api/public/v1/auth/me', {
      headers: { authorization: `bearer ${user.token}` },
    });
    expect(lower.status).toBe(200);
    const cookieName = t.config.session.cookieName;
    const mixed = await call(t, 'GET', '/api/public/v1/auth/me', {
      headers: { cookie: `theme=dark; ${cookieName}=${user.token}; lang=en` },
    });
    expect(mixed.status).toBe(200);
    const inner = await call(t, 'GET', '/api/public/v1/auth/me', {
      headers: { authorization: `Bearer ${user.token} extra` },
    });
    expect(inner.status).toBe(401);
    await t.close();
  });
});

describe('role guards', () => {
  const appWith = (role: AuthContext['user']['role'] | undefined) => {
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.use('*', async (c, next) => {
      if (role)
        c.set('auth', {
          user: { id: 1, email: 'a@b.c', name: 'A', avatar: null, role, teamId: null },
          sessionId: 's',
          kind: 'session',
          via: 'bearer',
        });
      await next();
    });
    app.get('/any', requireAuth, (c) => c.text('ok'));
    app.get('/admin', requireRole('admin'), (c) => c.text('ok'));
    app.get('/manager', requireRole('manager'), (c) => c.text('ok'));
    app.get('/team', requireAnyRole(['manager', 'team_member']), (c) => c.text('ok'));
    app.get('/managers-only', requireAnyRole(['manager']), (c) => c.text('ok'));
    return app;
  };

  test.each([
    [undefined, { any: 401, admin: 401, manager: 401, team: 401, 'managers-only': 401 }],
    ['team_member', { any: 200, admin: 403, manager: 403, team: 200, 'managers-only': 403 }],
    ['manager', { any: 200, admin: 403, manager: 200, team: 200, 'managers-only': 200 }],
    ['admin', { any: 200, admin: 200, manager: 200, team: 200, 'managers-only': 200 }],
  ] as const)('%p', async (role, expected) => {
    const app = appWith(role);
    for (const [path, status] of Object.entries(expected)) {
      const res = await app.request(`/${path}`);
      expect(`${path}:${res.status}`).toBe(`${path}:${status}`);
    }
  });
});
