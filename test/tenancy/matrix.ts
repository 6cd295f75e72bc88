import { expect } from 'bun:test';
import { users } from '../../src/db/schema';
import { call } from '../helpers/http';
import type { TestApp } from '../helpers/test-app';
import type { Person, Tenant } from './fixtures';

/**
 * The data-driven tenant-isolation matrix. A Case names an endpoint, how to build a request
 * against one tenant's resource, and who (relative to tenant A) may do it. `expected` derives
 * the exact status for every persona against A's resource ("own") and B's ("foreign"):
 *
 *   own:     allow → ok · forbid → 403 · anonymous/disabled → `anonymous` · anyone else → 404
 *   foreign: platform admin → as on own · stranger (B's owner) → what A's owner gets on own ·
 *            anonymous/disabled → `anonymous` · A's people → `foreign` (default 404)
 */

export const PERSONAS = [
  'anonymous',
  'admin',
  'owner',
  'member',
  'orgAdmin',
  'teamMember',
  'stranger',
  'disabled',
] as const;
export type PersonaName = (typeof PERSONAS)[number];

export interface World {
  t: TestApp;
  a: Tenant;
  b: Tenant;
  admin: Person;
  /** A's team member whose account has been disabled. */
  disabled: Person;
  /** A fresh user row (no session), for membership targets. */
  spareUser(): Promise<number>;
  unique(prefix: string): string;
}

export interface Built {
  path: string;
  body?: unknown;
}

export interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  build(w: World, tenant: Tenant): Promise<Built> | Built;
  ok: number;
  allow: PersonaName[];
  forbid?: PersonaName[];
  anonymous: number;
  /** What A's signed-in people get on B's resource; 404 unless the endpoint is public. */
  foreign?: number;
}

export function expected(c: Case, persona: PersonaName, side: 'own' | 'foreign'): number {
  if (persona === 'anonymous' || persona === 'disabled') return c.anonymous;
  const onOwn = (p: PersonaName) =>
    c.allow.includes(p) ? c.ok : c.forbid?.includes(p) ? 403 : 404;
  if (side === 'own') return onOwn(persona);
  if (persona === 'admin') return onOwn('admin');
  if (persona === 'stranger') return onOwn('owner');
  return c.foreign ?? 404;
}

export function tokenOf(w: World, persona: PersonaName): string | undefined {
  switch (persona) {
    case 'anonymous':
      return undefined;
    case 'admin':
      return w.admin.token;
    case 'disabled':
      return w.disabled.token;
    case 'stranger':
      return w.b.owner.token;
    default:
      return w.a[persona].token;
  }
}

export async function runCell(w: World, c: Case, persona: PersonaName, side: 'own' | 'foreign') {
  const built = await c.build(w, side === 'own' ? w.a : w.b);
  const token = tokenOf(w, persona);
  const res = await call(w.t, c.method, built.path, {
    bearer: token,
    body: built.body,
  });
  const want = expected(c, persona, side);
  const detail = `${c.name} as ${persona} on ${side}: ${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`;
  expect(res.status, detail).toBe(want);
  if (want === 404) {
    // Never data, only the error envelope.
    expect(res.body.data, detail).toBeUndefined();
    expect(res.body.code, detail).toBe('NOT_FOUND');
  }
  return res;
}

let spareCounter = 0;
export async function insertSpareUser(t: TestApp): Promise<number> {
  spareCounter += 1;
  const [row] = await t.database.db
    .insert(users)
    .values({
      email: `spare${spareCounter}-${Date.now()}@example.com`,
      name: `Spare ${spareCounter}`,
    })
    .returning({ id: users.id });
  return row!.id;
}
