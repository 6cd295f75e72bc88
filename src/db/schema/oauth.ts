import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Sign-in providers configured at runtime by admins (env-configured ones never live here).
 * The client secret is stored encrypted (src/lib/encryption.ts, AAD bound to the provider id);
 * `secret_key_id` names the key that encrypted it, so a rotation can find stale rows.
 */
export const oauthProviders = pgTable('oauth_providers', {
  /** Slug; also the path segment of /oauth/{id} and /oauth/{id}/callback. */
  id: text('id').primaryKey(),
  type: text('type').$type<'github' | 'google' | 'gitlab' | 'okta' | 'oidc'>().notNull(),
  displayName: text('display_name').notNull(),
  clientId: text('client_id').notNull(),
  clientSecretEncrypted: text('client_secret_encrypted').notNull(),
  secretKeyId: text('secret_key_id').notNull(),
  issuer: text('issuer'),
  baseUrl: text('base_url'),
  scopes: jsonb('scopes').$type<string[]>().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  allowSignup: boolean('allow_signup').notNull().default(false),
  trustEmail: boolean('trust_email').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** External identities, keyed by (provider, subject) — never by email. */
export const oauthAccounts = pgTable(
  'oauth_accounts',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    email: text('email'),
    emailVerified: boolean('email_verified').notNull().default(false),
    /** Display data only (name, username, picture); never tokens. */
    profile: jsonb('profile').$type<Record<string, string>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('oauth_accounts_identity_uq').on(t.provider, t.subject),
    index('oauth_accounts_user_idx').on(t.userId),
  ],
);

export type OAuthProviderRow = typeof oauthProviders.$inferSelect;
export type OAuthAccountRow = typeof oauthAccounts.$inferSelect;
