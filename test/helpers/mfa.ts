import * as OTPAuth from 'otpauth';
import { call } from './http';
import type { SeededUser } from './seed';
import type { TestApp } from './test-app';

/**
 * Turns two-factor authentication on for a user the way a person does, with an independent
 * TOTP implementation (otpauth) as their authenticator app. Confirms with the previous
 * window's code, so the current one is still unused for the test's sign-in.
 */
export async function enableMfa(t: TestApp, user: SeededUser) {
  const begun = await call(t, 'POST', '/api/public/v1/auth/mfa/totp', { cookie: user.token });
  if (begun.status !== 200) throw new Error(`mfa begin: ${begun.status}`);
  const app = OTPAuth.URI.parse(begun.body.data.otpauthUri) as OTPAuth.TOTP;
  const confirmed = await call(t, 'POST', '/api/public/v1/auth/mfa/totp/confirm', {
    cookie: user.token,
    body: { code: app.generate({ timestamp: Date.now() - 30_000 }) },
  });
  if (confirmed.status !== 200) throw new Error(`mfa confirm: ${confirmed.status}`);
  return { app, recoveryCodes: confirmed.body.data.recoveryCodes as string[] };
}
