import {
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { companies } from './tenancy';
import { users } from './users';

/**
 * Credentials for machines: personal access tokens, rotating refresh tokens, the keys access
 * JWTs are signed with, device-login requests and company certificates. Every secret is kept as
 * its SHA-256 (tokens) or encrypted (private keys, the grace-window replay of a refresh).
 */

/** The CLI tokens of the product documents (`kgm_…`). */
export const personalAccessTokens = pgTable(
  'personal_access_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** First characters of the token, for recognising it in a list. Not enough to use it. */
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('pat_user_idx').on(t.userId)],
);

/**
 * Opaque refresh tokens. Each use rotates: the used row gets used_at and replaced_by, and its
 * successor joins the same family. Reuse of an older row revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    familyId: uuid('family_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    clientId: text('client_id').notNull(),
    scopes: text('scopes').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    replacedBy: uuid('replaced_by'),
    /** Encrypted token response handed out at rotation, replayed within the grace window. */
    rotationResponse: text('rotation_response'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('refresh_family_idx').on(t.familyId),
    index('refresh_user_idx').on(t.userId),
    index('refresh_expires_idx').on(t.expiresAt),
  ],
);

/** Per-user state that invalidates access JWTs issued before `not_before`. */
export const userTokenState = pgTable('user_token_state', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id),
  notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
});

/** Refresh families that were revoked; access JWTs carry their family as `sid`. */
export const revokedTokenFamilies = pgTable(
  'revoked_token_families',
  {
    familyId: uuid('family_id').primaryKey(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('revoked_families_at_idx').on(t.revokedAt)],
);

/** Keys access JWTs are signed with. Private halves encrypted with GLOBAL_ENCRYPTION_KEY. */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  publicJwk: jsonb('public_jwk').notNull().$type<Record<string, unknown>>(),
  privateKeyEncrypted: text('private_key_encrypted').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Set when a newer key took over; the key stays published until its tokens expired. */
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});

/** RFC 8628 device authorization requests. */
export const deviceAuthorizations = pgTable(
  'device_authorizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceCodeHash: text('device_code_hash').notNull().unique(),
    /** The user code without its dash, upper-case; unique among live requests. */
    userCode: text('user_code').notNull(),
    clientId: text('client_id').notNull(),
    scopes: text('scopes').array().notNull(),
    /** pending → approved | denied → consumed */
    status: text('status').notNull().default('pending'),
    userId: integer('user_id').references(() => users.id),
    intervalSeconds: integer('interval_seconds').notNull(),
    lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('device_user_code_uq').on(t.userCode)],
);

/** Public keys a company's services sign jwt-bearer assertions with. */
export const companyCertificates = pgTable(
  'company_certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    name: text('name').notNull(),
    /** RS256 | ES256 | EdDSA */
    alg: text('alg').notNull(),
    publicJwk: jsonb('public_jwk').notNull().$type<Record<string, unknown>>(),
    /** RFC 7638 JWK thumbprint (SHA-256). */
    fingerprint: text('fingerprint').notNull(),
    createdBy: integer('created_by').references(() => users.id),
    /**
     * The service account tokens of this certificate act as: a password-less user holding the
     * admin membership of this company only (see services/tokens/certificates.ts).
     */
    serviceUserId: integer('service_user_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('company_certs_company_idx').on(t.companyId),
    uniqueIndex('company_certs_fingerprint_uq').on(t.companyId, t.fingerprint),
  ],
);

/** `jti`s of accepted jwt-bearer assertions, kept until the assertion would have expired. */
export const usedAssertionIds = pgTable('used_assertion_ids', {
  jti: text('jti').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export type PersonalAccessTokenRow = typeof personalAccessTokens.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type SigningKeyRow = typeof signingKeys.$inferSelect;
export type DeviceAuthorizationRow = typeof deviceAuthorizations.$inferSelect;
export type CompanyCertificateRow = typeof companyCertificates.$inferSelect;
