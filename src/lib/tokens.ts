import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters. */
export function newOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are stored and looked up by their SHA-256 only. (Bun's one-shot hasher: ~3× node's.) */
export function sha256Hex(value: string): string {
  return Bun.SHA256.hash(value, 'hex');
}

const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Shape check so garbage never reaches a cache or the database. */
export function looksLikeSessionToken(token: string): boolean {
  return SESSION_TOKEN.test(token);
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Compare anyway so the time taken does not reveal where the lengths differ.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
