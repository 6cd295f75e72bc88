import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { sessions, users } from '../../src/db/schema';
import { sha256Hex } from '../../src/lib/tokens';
import { ROLE_RANK } from '../../src/services/policy';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { PROTECTED_ROUTES, type ProtectedRoute } from './protected-routes';
import { PUBLIC_ROUTES } from './public-routes';
import { type CoverageReport, routeCoverage, servedOperations } from './route-coverage';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX_REQUESTS: '100000' } });
  await createUser(t); // the first account is the admin; the rest get the roles asked for
});
afterAll(() => t.close());

const pathFor = (route: ProtectedRoute, user: SeededUser) => route.path.replace('{self}', user.id);
const send = (
  route: ProtectedRoute,
  user: SeededUser,
  auth: { bearer?: string; cookie?: string },
) =>
  call(t, route.method, pathFor(route, user), {
    ...auth,
    body: route.body,
    headers: route.headers,
  });

/** A user whose credential has been made invalid in the given way. */
async function brokenCredential(kind: 'expired' | 'revoked' | 'disabled' | 'deleted') {
  const user = await createUser(t);
  // Use it once so every cache tier holds it: the check must beat cached entries.
  expect((await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token })).status).toBe(200);
  const db = t.database.db;
  const past = new Date(Date.now() - 1000);
  if (kind === 'expired')
    await db.update(sessions).set({ expiresAt: past }).where(eq(sessions.id, user.sessionId));
  if (kind === 'revoked')
    await db.update(sessions).set({ revokedAt: past }).where(eq(sessions.id, user.sessionId));
  if (kind === 'disabled')
    await db
      .update(users)
      .set({ disabledAt: past })
      .where(eq(users.id, Number(user.id)));
  if (kind === 'deleted')
    await db
      .update(users)
      .set({ deletedAt: past })
      .where(eq(users.id, Number(user.id)));
  // Expiry is checked in memory from the cached copy; the others arrive as invalidations,
  // exactly as the services send them after a change.
  await t.instance.services.sessions.registry.invalidate({
    hashes: [sha256Hex(user.token)],
    userId: Number(user.id),
  });
  return user;
}

describe.each(PROTECTED_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
  '%s',
  (_name, route) => {
    test('no credentials: 401', async () => {
      const user = await createUser(t);
      const res = await send(route, user, {});
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    });

    test('garbage tokens: 401', async () => {
      const user = await createUser(t);
      for (const bearer of [
        'x',
        'A'.repeat(43),
        'kgm_nope',
        'eyJhbGciOiJub25lIn0.e30.',
        user.token.toUpperCase(),
      ]) {
        expect((await send(route, user, { bearer })).status).toBe(401);
      }
      expect((await send(route, user, { cookie: 'A'.repeat(43) })).status).toBe(401);
    });

    for (const kind of ['expired', 'revoked', 'disabled', 'deleted'] as const) {
      test(`${kind} credential: 401`, async () => {
        const user = await brokenCredential(kind);
        expect((await send(route, user, { bearer: user.token })).status).toBe(401);
        expect((await send(route, user, { cookie: user.token })).status).toBe(401);
      });
    }

    if (route.minRole) {
      test(`roles below ${route.minRole}: 403`, async () => {
        for (const role of ['team_member', 'manager'] as const) {
          if (ROLE_RANK[role] >= ROLE_RANK[route.minRole!]) continue;
          const user = await createUser(t, { role });
          const res = await send(route, user, { bearer: user.token });
          expect(res.status).toBe(403);
          expect(res.body.code).toBe('FORBIDDEN');
        }
      });
    }
  },
);

describe('every route the app serves is listed', () => {
  let report: CoverageReport;
  beforeAll(async () => {
    const doc = await (await t.request('/openapi.json')).json();
    report = routeCoverage(servedOperations(t.instance.app, doc), PROTECTED_ROUTES, PUBLIC_ROUTES);
  });

  test('in PROTECTED_ROUTES or PUBLIC_ROUTES', () => expect(report.unlisted).toEqual([]));
  test('no entry outlives its route', () => expect(report.stale).toEqual([]));
  test('no route is both public and protected', () => expect(report.inBothLists).toEqual([]));
});
