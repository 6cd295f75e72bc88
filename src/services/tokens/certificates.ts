import { randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import type { Database } from '../../db/client';
import {
  type CompanyCertificateRow,
  companies,
  companyCertificates,
  companyMembers,
  usedAssertionIds,
  users,
} from '../../db/schema';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { unstorableCharacter } from '../../lib/storable';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AuthUser } from '../auth/types';
import type { SessionService } from '../sessions/session-service';
import type { TenancyService } from '../tenancy';
import type { AccessTokens } from './access-tokens';
import { OAuthError } from './oauth-error';
import { parsePublicKey } from './public-key';
import type { TokenResponse } from './refresh-service';

/** RFC 7523 §3: assertions must expire soon; we allow at most this far ahead. */
const MAX_ASSERTION_LIFETIME_S = 300;
const CLOCK_SKEW_S = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Certificate tokens: a company admin minus member management (see policy.ts). */
const CERTIFICATE_SCOPES = ['read', 'write'];

export interface CertificateInput {
  name: string;
  publicKey?: string;
  jwk?: unknown;
  expiresAt?: Date;
}

export function certificateView(row: CompanyCertificateRow) {
  return {
    id: row.id,
    companyId: row.companyId,
    name: row.name,
    alg: row.alg,
    fingerprint: row.fingerprint,
    publicJwk: row.publicJwk,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export interface CertificateServiceDeps {
  db: Database;
  tenancy: TenancyService;
  sessions: SessionService;
  accessTokens: AccessTokens;
  tokenEndpointUrl: string;
  clock: Clock;
}

/**
 * Company certificates: public keys a company's services sign RFC 7523 assertions with, traded
 * at the token endpoint for 15-minute access tokens. Each certificate acts through its own
 * service account: a password-less user whose only membership is admin of that company, so all
 * tenancy checks apply unchanged and it can reach nothing outside the company; policy.ts
 * (`servicePrincipalMayRequest`) takes member management and everything non-tenancy away.
 * Revoking the certificate disables that account, which reaches every instance at once.
 */
export class CertificateService {
  constructor(private readonly deps: CertificateServiceDeps) {}

  async list(actor: AuthUser, companyId: string) {
    await this.deps.tenancy.requireCompanyRole(actor, companyId, 'admin');
    const rows = await this.deps.db
      .select()
      .from(companyCertificates)
      .where(eq(companyCertificates.companyId, companyId))
      .orderBy(desc(companyCertificates.createdAt));
    return rows.map(certificateView);
  }

  async create(actor: AuthUser, companyId: string, input: CertificateInput, meta: RequestMeta) {
    await this.deps.tenancy.requireCompanyRole(actor, companyId, 'admin');
    if ((input.publicKey === undefined) === (input.jwk === undefined)) {
      throw new ValidationError('Give exactly one of publicKey (PEM) or jwk', [
        { path: 'publicKey', message: 'Exactly one of publicKey or jwk' },
      ]);
    }
    if (input.expiresAt && input.expiresAt.getTime() <= this.deps.clock.now()) {
      throw new ValidationError('Expiry must be in the future', [
        { path: 'expiresAt', message: 'Must be in the future' },
      ]);
    }
    const parsed = await parsePublicKey({ pem: input.publicKey, jwk: input.jwk });
    const id = randomUUID();
    const row = await this.deps.db.transaction(async (tx) => {
      const [existing] = await tx
        .select({ id: companyCertificates.id })
        .from(companyCertificates)
        .where(
          and(
            eq(companyCertificates.companyId, companyId),
            eq(companyCertificates.fingerprint, parsed.fingerprint),
          ),
        );
      if (existing) throw new ConflictError('This key is already registered for the company');
      const [service] = await tx
        .insert(users)
        .values({
          email: `cert-${id}@service.kubegram.invalid`,
          name: `Certificate: ${input.name.trim()}`,
          role: 'team_member',
          serviceAccount: true,
        })
        .returning({ id: users.id });
      await tx.insert(companyMembers).values({ companyId, userId: service!.id, role: 'admin' });
      const [inserted] = await tx
        .insert(companyCertificates)
        .values({
          id,
          companyId,
          name: input.name.trim(),
          alg: parsed.alg,
          publicJwk: parsed.jwk as Record<string, unknown>,
          fingerprint: parsed.fingerprint,
          createdBy: actor.id,
          serviceUserId: service!.id,
          createdAt: new Date(this.deps.clock.now()),
          expiresAt: input.expiresAt,
        })
        .returning();
      await recordAudit(tx, {
        action: 'company.certificate_added',
        userId: actor.id,
        resourceType: 'company_certificate',
        resourceId: id,
        details: { companyId, alg: parsed.alg, fingerprint: parsed.fingerprint },
        ...meta,
      });
      return inserted!;
    });
    return certificateView(row);
  }

  async revoke(actor: AuthUser, companyId: string, certificateId: string, meta: RequestMeta) {
    await this.deps.tenancy.requireCompanyRole(actor, companyId, 'admin');
    if (!UUID.test(certificateId)) throw new NotFoundError('Certificate');
    const now = new Date(this.deps.clock.now());
    const row = await this.deps.db.transaction(async (tx) => {
      const [revoked] = await tx
        .update(companyCertificates)
        .set({ revokedAt: now })
        .where(
          and(
            eq(companyCertificates.id, certificateId),
            eq(companyCertificates.companyId, companyId),
            isNull(companyCertificates.revokedAt),
          ),
        )
        .returning();
      if (!revoked) throw new NotFoundError('Certificate');
      if (revoked.serviceUserId) {
        await tx.update(users).set({ disabledAt: now }).where(eq(users.id, revoked.serviceUserId));
        await this.deps.sessions.revokeAllForUser(tx, revoked.serviceUserId);
      }
      await recordAudit(tx, {
        action: 'company.certificate_revoked',
        userId: actor.id,
        resourceType: 'company_certificate',
        resourceId: certificateId,
        details: { companyId },
        ...meta,
      });
      return revoked;
    });
    // Every instance forgets the service account: its access tokens stop at once.
    if (row.serviceUserId) await this.deps.sessions.invalidate({ userId: row.serviceUserId });
    return certificateView(row);
  }

  /** The jwt-bearer grant (RFC 7523 §2.1): a signed assertion in, an access token out. */
  async exchange(assertion: string | undefined, meta: RequestMeta): Promise<TokenResponse> {
    if (!assertion) throw new OAuthError('invalid_request', 'assertion is required');
    const invalid = (why: string) => new OAuthError('invalid_grant', why);
    let kid: unknown;
    let issuer: unknown;
    try {
      kid = decodeProtectedHeader(assertion).kid;
      issuer = decodeJwt(assertion).iss;
    } catch {
      throw invalid('The assertion is not a JWT');
    }
    if (typeof kid !== 'string' || !UUID.test(kid)) throw invalid('kid must be a certificate id');
    const [found] = await this.deps.db
      .select({ cert: companyCertificates, companyDeleted: companies.deletedAt })
      .from(companyCertificates)
      .innerJoin(companies, eq(companies.id, companyCertificates.companyId))
      .where(eq(companyCertificates.id, kid));
    const now = this.deps.clock.now();
    if (!found || found.companyDeleted) throw invalid('Unknown certificate');
    const cert = found.cert;
    if (cert.revokedAt) throw invalid('The certificate was revoked');
    if (cert.expiresAt && cert.expiresAt.getTime() <= now) throw invalid('The certificate expired');
    const principal = `company:${cert.companyId}`;
    if (issuer !== principal) throw invalid(`iss must be ${principal}`);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      const key = await importJWK(cert.publicJwk as JWK, cert.alg);
      ({ payload } = await jwtVerify(assertion, key, {
        algorithms: [cert.alg],
        issuer: principal,
        subject: principal,
        audience: this.deps.tokenEndpointUrl,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: CLOCK_SKEW_S,
        currentDate: new Date(now),
      }));
    } catch {
      throw invalid('The assertion failed verification (signature, iss, sub, aud or exp)');
    }
    const exp = payload.exp!;
    if (exp > Math.floor(now / 1000) + MAX_ASSERTION_LIFETIME_S + CLOCK_SKEW_S) {
      throw invalid(`exp may be at most ${MAX_ASSERTION_LIFETIME_S} seconds ahead`);
    }
    // The jti is stored (replay protection): one PostgreSQL cannot store is refused as any bad one.
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti.length > 200 || unstorableCharacter(jti)) {
      throw invalid('Bad jti');
    }
    await this.deps.accessTokens.prepare();
    const serviceUser = cert.serviceUserId;
    if (!serviceUser) throw invalid('The certificate has no service account');
    return this.deps.db.transaction(async (tx) => {
      await tx.delete(usedAssertionIds).where(lt(usedAssertionIds.expiresAt, new Date(now)));
      const used = await tx
        .insert(usedAssertionIds)
        .values({
          jti: `${cert.id}:${jti}`,
          expiresAt: new Date((exp + CLOCK_SKEW_S) * 1000),
        })
        .onConflictDoNothing()
        .returning({ jti: usedAssertionIds.jti });
      if (used.length === 0) throw invalid('This assertion (jti) was already used');
      await recordAudit(tx, {
        action: 'auth.certificate_token',
        userId: serviceUser,
        resourceType: 'company_certificate',
        resourceId: cert.id,
        details: { companyId: cert.companyId },
        ...meta,
      });
      const accessToken = await this.deps.accessTokens.issue({
        userId: serviceUser,
        role: 'team_member',
        companyId: cert.companyId,
        certificateId: cert.id,
        scopes: CERTIFICATE_SCOPES,
        clientId: principal,
      });
      return {
        access_token: accessToken,
        token_type: 'Bearer' as const,
        expires_in: this.deps.accessTokens.ttlSeconds,
        scope: CERTIFICATE_SCOPES.join(' '),
      };
    });
  }
}
