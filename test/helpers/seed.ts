import { eq } from 'drizzle-orm';
import { type UserRole, users } from '../../src/db/schema';
import { call } from './http';
import type { TestApp } from './test-app';

let counter = 0;
export const STRONG_PASSWORD = 'kubegram-test-passphrase-7Qx!';

export interface SeededUser {
  id: string;
  email: string;
  password: string;
  role: UserRole;
  /** A live session token (cookie or bearer). */
  token: string;
  sessionId: string;
}

/** Registers a user through the API (so the first one is admin), then sets the wanted role. */
export async function createUser(
  t: TestApp,
  options: { role?: UserRole; email?: string; password?: string; name?: string } = {},
): Promise<SeededUser> {
  counter += 1;
  const email = options.email ?? `user${counter}-${Date.now()}@example.com`;
  const password = options.password ?? STRONG_PASSWORD;
  const res = await call(t, 'POST', '/api/public/v1/auth/register', {
    body: { email, password, name: options.name ?? `User ${counter}` },
    ip: `10.99.${counter % 250}.${(counter * 7) % 250}`,
  });
  if (res.status !== 201)
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const role = options.role ?? res.body.user.role;
  if (role !== res.body.user.role) {
    await t.database.db
      .update(users)
      .set({ role })
      .where(eq(users.id, Number(res.body.user.id)));
    await t.instance.services.sessions.registry.invalidate({ userId: Number(res.body.user.id) });
  }
  return {
    id: res.body.user.id,
    email: res.body.user.email,
    password,
    role,
    token: res.setToken!,
    sessionId: res.body.sessionId,
  };
}
