import { randomBytes } from 'node:crypto';

/**
 * Personal access tokens look like `kgm_<32 base62 chars of randomness><6 base62 chars CRC32>`.
 * The fixed prefix lets secret scanners find leaked tokens; the checksum lets our middleware turn
 * away typos and garbage without a cache or database lookup. 32 base62 characters carry
 * ~190 bits of randomness (rejection sampling keeps them uniform).
 */
export const PAT_PREFIX = 'kgm_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const PAT_LENGTH = PAT_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH;
const SHAPE = new RegExp(`^${PAT_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes above it would bias the first characters of the alphabet.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function base62Fixed(value: number, length: number): string {
  let out = '';
  let n = value >>> 0;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function checksum(body: string): string {
  return base62Fixed(Bun.hash.crc32(body), CHECKSUM_LENGTH);
}

export function newPersonalAccessToken(): string {
  const body = randomBase62(RANDOM_LENGTH);
  return `${PAT_PREFIX}${body}${checksum(body)}`;
}

/** Shape and checksum, no I/O: a typo or a made-up token never reaches a cache or the DB. */
export function isWellFormedPersonalAccessToken(token: string): boolean {
  if (token.length !== PAT_LENGTH || !SHAPE.test(token)) return false;
  const body = token.slice(PAT_PREFIX.length, PAT_PREFIX.length + RANDOM_LENGTH);
  return checksum(body) === token.slice(PAT_PREFIX.length + RANDOM_LENGTH);
}

/** What lists show: enough to recognise a token, far too little to use it. */
export function displayPrefix(token: string): string {
  return token.slice(0, PAT_PREFIX.length + 4);
}
