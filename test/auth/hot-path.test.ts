import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import type { AppEnv } from '../../src/http/app-env';
import { onError } from '../../src/http/errors';
import { requireAnyRole, requireAuth, requireRole } from '../../src/http/middleware/auth';
import type { AuthContext } from '../../src/services/auth/types';
import { call } from '../helpers/http';
import { createUser } from '../helpers/seed';
import { createTestApp } from '../helpers/test-app';

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
