import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  pgEnum,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { teams } from './tenancy';

/** Platform roles, strongest first: admin > manager > team_member (see src/services/policy.ts). */
export const userRole = pgEnum('user_role', ['admin', 'manager', 'team_member']);

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    /** Canonical form: trimmed, NFKC-normalised, lower-cased. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    avatar: text('avatar'),
    role: userRole('role').notNull().default('team_member'),
    /** Primary team (see services/tenancy/members.ts); cleared when that membership ends. */
    teamId: integer('team_id').references((): AnyPgColumn => teams.id, { onDelete: 'set null' }),
    passwordHash: text('password_hash'),
    /**
     * A company certificate's principal (services/tokens/certificates.ts): no password, never
     * signs in, managed only through its certificate, left out of the people lists.
     */
    serviceAccount: boolean('service_account').notNull().default(false),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    // One live account per canonical email; a deleted account frees its address.
    uniqueIndex('users_email_live_uq').on(t.email).where(sql`${t.deletedAt} is null`),
    index('users_role_idx').on(t.role),
    index('users_team_idx').on(t.teamId),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type UserRole = (typeof userRole.enumValues)[number];
