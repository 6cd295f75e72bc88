import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Companies → organizations → teams → users, and the projects teams own.
 * Rows are soft-deleted (deleted_at); a deleted row is absent everywhere, and deleting a parent
 * soft-deletes its children in the same transaction (src/services/tenancy/).
 */

/** Roles inside a company or an organization, strongest first. */
export const memberRole = pgEnum('member_role', ['owner', 'admin', 'member']);
/** Roles inside a team. */
export const teamRole = pgEnum('team_role', ['maintainer', 'member']);
export const projectVisibility = pgEnum('project_visibility', ['private', 'public']);
export const invitationScope = pgEnum('invitation_scope', ['company', 'organization', 'team']);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
};

export const companies = pgTable(
  'companies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** Code-generation balance; changed only through adjustTokens (atomic, never below zero). */
    tokens: integer('tokens').notNull().default(0),
    stripeCustomerId: text('stripe_customer_id'),
    createdBy: integer('created_by').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    index('companies_name_idx').on(t.name),
    index('companies_created_idx').on(t.createdAt),
    index('companies_created_by_idx').on(t.createdBy),
  ],
);

export const organizations = pgTable(
  'organizations',
  {
    id: serial('id').primaryKey(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('organizations_company_slug_live_uq')
      .on(t.companyId, t.slug)
      .where(sql`${t.deletedAt} is null`),
    index('organizations_company_idx').on(t.companyId),
    index('organizations_slug_idx').on(t.slug),
  ],
);

export const teams = pgTable(
  'teams',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id),
    /** Denormalised so every team query can be filtered by tenant without a join. */
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('teams_org_slug_live_uq')
      .on(t.organizationId, t.slug)
      .where(sql`${t.deletedAt} is null`),
    index('teams_organization_idx').on(t.organizationId),
    index('teams_company_idx').on(t.companyId),
  ],
);

export const projects = pgTable(
  'projects',
  {
    id: serial('id').primaryKey(),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description'),
    visibility: projectVisibility('visibility').notNull().default('private'),
    graph: jsonb('graph').$type<ProjectGraph>().notNull().default({ nodes: [], edges: [] }),
    createdBy: integer('created_by').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('projects_team_slug_live_uq')
      .on(t.teamId, t.slug)
      .where(sql`${t.deletedAt} is null`),
    index('projects_team_idx').on(t.teamId),
    index('projects_organization_idx').on(t.organizationId),
    index('projects_company_idx').on(t.companyId),
    index('projects_created_by_idx').on(t.createdBy),
    index('projects_visibility_idx').on(t.visibility),
  ],
);

export const companyMembers = pgTable(
  'company_members',
  {
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    role: memberRole('role').notNull().default('member'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.userId] }),
    index('company_members_user_idx').on(t.userId),
  ],
);

export const organizationMembers = pgTable(
  'organization_members',
  {
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    role: memberRole('role').notNull().default('member'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.userId] }),
    index('organization_members_user_idx').on(t.userId),
    index('organization_members_company_idx').on(t.companyId),
  ],
);

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    role: teamRole('role').notNull().default('member'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    index('team_members_user_idx').on(t.userId),
    index('team_members_company_idx').on(t.companyId),
  ],
);

/** Single-use, time-limited invitations; only the SHA-256 of the token is stored. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    email: text('email').notNull(),
    scope: invitationScope('scope').notNull(),
    companyId: uuid('company_id')
      .notNull()
      .references(() => companies.id),
    organizationId: integer('organization_id').references(() => organizations.id),
    teamId: integer('team_id').references(() => teams.id),
    /** A memberRole for company/organization scope, a teamRole for team scope. */
    role: text('role').notNull(),
    invitedBy: integer('invited_by').references(() => users.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: integer('accepted_by').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('invitations_company_idx').on(t.companyId),
    index('invitations_organization_idx').on(t.organizationId),
    index('invitations_team_idx').on(t.teamId),
    index('invitations_email_idx').on(t.email),
    index('invitations_invited_by_idx').on(t.invitedBy),
    index('invitations_accepted_by_idx').on(t.acceptedBy),
  ],
);

export interface GraphNode {
  id: string;
  type?: string;
  [key: string]: unknown;
}
export interface GraphEdge {
  source: string;
  target: string;
  [key: string]: unknown;
}
export interface ProjectGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  [key: string]: unknown;
}

export type CompanyRow = typeof companies.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;
export type ProjectRow = typeof projects.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type MemberRole = (typeof memberRole.enumValues)[number];
export type TeamRole = (typeof teamRole.enumValues)[number];
export type ProjectVisibility = (typeof projectVisibility.enumValues)[number];
