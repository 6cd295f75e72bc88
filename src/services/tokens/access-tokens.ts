import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../lib/clock';
import { andThen, type MaybePromise } from '../../lib/maybe-promise';
import type { TokenRevocationState } from './revocation-state';
import { ALLOWED_ALGORITHMS, type SigningAlgorithm, type SigningKeyRing } from './signing-keys';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Header parameters that would let a token choose its own verification key: always refused. */
const KEY_CHOOSING_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256'];
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface AccessTokenSubject {
  /** A user id, or undefined for a company principal. */
  userId?: number;
  role?: string;
  companyId?: string;
  certificateId?: string;
  scopes: string[];
  clientId: string;
  /** The refresh family the token belongs to; revoking the family refuses the token too. */
  familyId?: string;
}

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  scope: string;
  client_id: string;
  role?: string;
  sid?: string;
  company_id?: string;
  cert_id?: string;
  /** Issue time in milliseconds, so a "not before" set in the same second compares exactly. */
  iat_ms: number;
}

export interface VerifiedAccessToken {
  claims: AccessTokenClaims;
  userId?: number;
  companyId?: string;
  scopes: string[];
}

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export const looksLikeJwt = (token: string) => JWT_SHAPE.test(token);
/**
 * The family a token is revoked with: its refresh family (`sid`), or for a token issued without
 * one (company-certificate grants) the token itself, so revoking it works the same way.
 */
export const tokenFamily = (claims: AccessTokenClaims) => claims.sid ?? claims.jti!;

/** Enough to route a bearer token to the JWT resolver; verify() checks the full shape. */
export const mayBeJwt = (token: string) => token.startsWith('eyJ');

export interface AccessTokensDeps extends AccessTokenOptions {
  keys: SigningKeyRing;
  revocations: TokenRevocationState;
  clock: Clock;
}

/**
 * Issues and verifies our access JWTs. Verification is in memory only: keys come from the key
 * ring, revocations from TokenRevocationState, and a token already verified is remembered until
 * it expires, so a client reusing its token costs one map lookup, not a signature check.
 */
export class AccessTokens {
  private readonly verified = new LRUCache<string, VerifiedAccessToken>({ max: 50_000 });

  constructor(private readonly deps: AccessTokensDeps) {}

  /**
   * Loads the signing keys. Call before opening a transaction that will issue tokens: loading
   * inside one would wait on a second connection (and deadlock PGlite's single connection).
   */
  prepare(): Promise<void> {
    return this.deps.keys.ready();
  }

  get ttlSeconds() {
    return this.deps.ttlSeconds;
  }

  async issue(subject: AccessTokenSubject): Promise<string> {
    const key = await this.deps.keys.signingKey();
    const nowMs = this.deps.clock.now();
    const now = Math.floor(nowMs / 1000);
    const claims: Record<string, unknown> = {
      scope: subject.scopes.join(' '),
      client_id: subject.clientId,
      iat_ms: nowMs,
    };
    if (subject.role) claims.role = subject.role;
    if (subject.familyId) claims.sid = subject.familyId;
    if (subject.companyId) claims.company_id = subject.companyId;
    if (subject.certificateId) claims.cert_id = subject.certificateId;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.deps.issuer)
      .setAudience(this.deps.audience)
      .setSubject(
        subject.userId !== undefined ? String(subject.userId) : `company:${subject.companyId}`,
      )
      .setIssuedAt(now)
      .setExpirationTime(now + this.deps.ttlSeconds)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  /**
   * The verified token, or null for anything forged, foreign, expired or revoked. A token seen
   * before answers synchronously from the cache: strings only enter it after a full check.
   */
  verify(token: string): MaybePromise<VerifiedAccessToken | null> {
    const known = this.verified.get(token);
    return known ? this.unlessEnded(token, known) : this.verifyFirstTime(token);
  }

  private async verifyFirstTime(token: string): Promise<VerifiedAccessToken | null> {
    if (!looksLikeJwt(token)) return null;
    const fresh = await this.verifySignature(token);
    if (!fresh) return null;
    const ttl = (fresh.claims.exp ?? 0) * 1000 - this.deps.clock.now();
    if (ttl > 0) this.verified.set(token, fresh, { ttl });
    return this.unlessEnded(token, fresh);
  }

  /** Expired since it was cached, or revoked (family, or the user's "not before"): null. */
  private unlessEnded(
    token: string,
    result: VerifiedAccessToken,
  ): MaybePromise<VerifiedAccessToken | null> {
    if ((result.claims.exp ?? 0) * 1000 <= this.deps.clock.now()) {
      this.verified.delete(token);
      return null;
    }
    if (!this.deps.revocations.loaded) {
      return this.deps.revocations.ready().then(() => this.unlessEnded(token, result));
    }
    const { userId, claims } = result;
    return andThen(
      this.deps.revocations.isRevokedNow(userId, claims.iat_ms, tokenFamily(claims)),
      (revoked) => (revoked ? null : result),
    );
  }

  private async verifySignature(token: string): Promise<VerifiedAccessToken | null> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return null;
    }
    if (KEY_CHOOSING_HEADERS.some((h) => h in header)) return null;
    if (header.crit !== undefined) return null;
    if (header.typ !== ACCESS_TOKEN_TYPE) return null;
    if (!ALLOWED_ALGORITHMS.includes(header.alg as SigningAlgorithm)) return null;
    if (typeof header.kid !== 'string') return null;
    const key = await this.deps.keys.verificationKey(header.kid);
    // The key's own algorithm, not the header's: an RS256 key never verifies an HS256 token.
    if (!key || key.alg !== header.alg) return null;
    try {
      const { payload } = await jwtVerify<AccessTokenClaims>(token, key.publicKey, {
        algorithms: [key.alg],
        issuer: this.deps.issuer,
        audience: this.deps.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        currentDate: new Date(this.deps.clock.now()),
      });
      if (typeof payload.scope !== 'string' || typeof payload.client_id !== 'string') return null;
      const iatMs = typeof payload.iat_ms === 'number' ? payload.iat_ms : payload.iat! * 1000;
      const claims = { ...payload, iat_ms: iatMs };
      const scopes = payload.scope.split(' ').filter(Boolean);
      if (payload.sub.startsWith('company:')) {
        if (typeof payload.company_id !== 'string') return null;
        return { claims, companyId: payload.company_id, scopes };
      }
      if (!/^[1-9][0-9]{0,9}$/.test(payload.sub)) return null;
      // Certificate tokens act as the certificate's service account, confined to its company.
      const companyId = typeof payload.company_id === 'string' ? payload.company_id : undefined;
      return { claims, userId: Number(payload.sub), companyId, scopes };
    } catch {
      return null;
    }
  }
}
