import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'zod';
import { ValidationError } from '../../lib/errors';

/** ~49,000 most common passwords, lower-cased, from zxcvbn-ts's ranked dictionary. */
const COMMON_PASSWORDS = new Set((dictionary.passwords as string[]).map((p) => p.toLowerCase()));
export const PASSWORD_MAX_LENGTH = 256;

// Invisible and control characters survive NFKC; an address containing them is refused rather
// than silently cleaned, so "admin\u200b@x" can never look like "admin@x".
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]/u;
const emailShape = z.email();

/** Trimmed, NFKC-normalised, lower-cased; the one form stored and compared. */
export function canonicalEmail(input: string): string {
  return input.trim().normalize('NFKC').toLowerCase();
}

/** Canonicalises and validates an email, or throws a 400 that says why. */
export function parseEmail(input: string, field = 'email'): string {
  const email = canonicalEmail(input);
  if (email.length > 254 || INVISIBLE.test(email) || !emailShape.safeParse(email).success) {
    throw new ValidationError('Invalid email address', [
      { path: field, message: 'Must be a valid email address' },
    ]);
  }
  return email;
}

/** Returns why a password is refused, or undefined when it is acceptable. NIST 800-63B style. */
export function passwordProblem(password: string, email: string, minLength: number) {
  const length = [...password].length;
  if (length < minLength) return `Password must be at least ${minLength} characters`;
  if (length > PASSWORD_MAX_LENGTH)
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return 'Password is too common; choose another';
  const local = email.split('@')[0] ?? '';
  if (local.length >= 3 && lowered.includes(local)) {
    return 'Password must not contain your email address';
  }
  return undefined;
}

export function assertPasswordAcceptable(
  password: string,
  email: string,
  minLength: number,
  field = 'password',
) {
  const problem = passwordProblem(password, email, minLength);
  if (problem) throw new ValidationError(problem, [{ path: field, message: problem }]);
}

/** argon2id at OWASP's minimum or above (m = 19 MiB, t = 2). */
const ARGON2 = { algorithm: 'argon2id', memoryCost: 19_456, timeCost: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, ARGON2);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a password; with no stored hash it verifies against a dummy so an unknown email
 * takes as long as a wrong password.
 */
export async function verifyPassword(password: string, hash: string | null | undefined) {
  if (!hash) {
    dummyHash ??= hashPassword('dummy-password-for-timing-equalisation');
    await Bun.password.verify(password, await dummyHash).catch(() => false);
    return false;
  }
  return Bun.password.verify(password, hash).catch(() => false);
}
