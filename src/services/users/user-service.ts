import { and, asc, count, desc, eq, ilike, isNull, ne, type SQL } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client';
import { type UserRole, type UserRow, users } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { AuthUser } from '../auth/types';
import { canReadUser, isAdmin, writableUserFields } from '../policy';
import type { SessionService } from '../sessions/session-service';

export interface UserListQuery {
  page: number;
  limit: number;
  role?: UserRole;
  email?: string;
  /** people (default): accounts of persons; service: certificate principals. */
  kind?: 'people' | 'service';
  sort?: string;
}

export interface UserPatch {
  name?: string;
  avatar?: string | null;
  role?: UserRole;
  disabled?: boolean;
}

const SORTABLE = { id: users.id, email: users.email, name: users.name, createdAt: users.createdAt };
export type UserSortField = keyof typeof SORTABLE;

export function publicUserRecord(row: UserRow, mfaEnabled: boolean) {
  return {
    id: String(row.id),
    email: row.email,
    name: row.name,
    avatar: row.avatar,
    role: row.role,
    teamId: row.teamId === null ? null : String(row.teamId),
    disabled: row.disabledAt !== null,
    serviceAccount: row.serviceAccount,
    mfaEnabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A certificate's principal changes only with its certificate (revoking it disables it). */
function refuseServiceAccount(row: UserRow) {
  if (row.serviceAccount) {
    throw new ConflictError(
      "This is a company certificate's service account; manage it through the certificate",
    );
  }
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

export interface UserServiceDeps {
  db: Database;
  sessions: SessionService;
  clock: Clock;
}

export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  async list(query: UserListQuery) {
    const filters: SQL[] = [
      isNull(users.deletedAt),
      eq(users.serviceAccount, query.kind === 'service'),
    ];
    if (query.role) filters.push(eq(users.role, query.role));
    if (query.email) filters.push(ilike(users.email, `%${escapeLike(query.email.toLowerCase())}%`));
    const where = and(...filters);
    const sortField = (query.sort ?? 'id').replace(/^-/, '') as UserSortField;
    const order = query.sort?.startsWith('-')
      ? desc(SORTABLE[sortField])
      : asc(SORTABLE[sortField]);
    const [rows, [total]] = await Promise.all([
      this.deps.db
        .select()
        .from(users)
        .where(where)
        .orderBy(order, asc(users.id))
        .limit(query.limit)
        .offset((query.page - 1) * query.limit),
      this.deps.db.select({ value: count() }).from(users).where(where),
    ]);
    return { rows, total: total?.value ?? 0 };
  }

  async get(actor: AuthUser, id: number): Promise<UserRow> {
    if (!canReadUser(actor, id)) throw new NotFoundError('User');
    const [row] = await this.deps.db
      .select()
      .from(users)
      .where(and(eq(users.id, id), isNull(users.deletedAt)));
    if (!row) throw new NotFoundError('User');
    return row;
  }

  async update(actor: AuthUser, id: number, patch: UserPatch, meta: RequestMeta) {
    const before = await this.get(actor, id);
    refuseServiceAccount(before);
    const allowed = writableUserFields(actor, id);
    const refused = Object.keys(patch).filter((k) => !allowed.has(k));
    if (refused.length > 0) throw new ForbiddenError(`You cannot change: ${refused.join(', ')}`);

    const changes: Partial<typeof users.$inferInsert> = {};
    if (patch.name !== undefined) changes.name = patch.name.trim();
    if (patch.avatar !== undefined) changes.avatar = patch.avatar;
    if (patch.role !== undefined && patch.role !== before.role) changes.role = patch.role;
    if (patch.disabled !== undefined && patch.disabled !== (before.disabledAt !== null)) {
      changes.disabledAt = patch.disabled ? new Date(this.deps.clock.now()) : null;
    }
    if (Object.keys(changes).length === 0) return before;

    const losesAccess = changes.role !== undefined || changes.disabledAt instanceof Date;
    let revoked: string[] = [];
    const after = await this.deps.db.transaction(async (tx) => {
      if (before.role === 'admin' && (changes.role || changes.disabledAt)) {
        await this.assertAnotherAdmin(tx, id);
      }
      const [row] = await tx
        .update(users)
        .set({ ...changes, updatedAt: new Date(this.deps.clock.now()) })
        .where(eq(users.id, id))
        .returning();
      if (losesAccess) revoked = await this.deps.sessions.revokeAllForUser(tx, id);
      await this.auditChanges(tx, actor, before, row!, meta);
      return row!;
    });
    await this.deps.sessions.invalidate({ hashes: revoked, userId: id });
    return after;
  }

  async remove(actor: AuthUser, id: number, meta: RequestMeta) {
    if (!isAdmin(actor)) throw new NotFoundError('User');
    const before = await this.get(actor, id);
    refuseServiceAccount(before);
    const hashes = await this.deps.db.transaction(async (tx) => {
      if (before.role === 'admin') await this.assertAnotherAdmin(tx, id);
      await tx
        .update(users)
        .set({
          deletedAt: new Date(this.deps.clock.now()),
          updatedAt: new Date(this.deps.clock.now()),
        })
        .where(eq(users.id, id));
      const revoked = await this.deps.sessions.revokeAllForUser(tx, id);
      await recordAudit(tx, {
        action: 'user.deleted',
        userId: actor.id,
        resourceType: 'user',
        resourceId: id,
        details: { email: before.email },
        ...meta,
      });
      return revoked;
    });
    await this.deps.sessions.invalidate({ hashes, userId: id });
  }

  /** The platform must keep at least one active admin. */
  private async assertAnotherAdmin(tx: Transaction, exceptId: number) {
    // Lock the admin rows so two concurrent demotions cannot both pass this check.
    const others = await tx
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          eq(users.role, 'admin'),
          ne(users.id, exceptId),
          isNull(users.deletedAt),
          isNull(users.disabledAt),
        ),
      )
      .for('update');
    if (others.length === 0) throw new ConflictError('The last active admin cannot be removed');
  }

  private async auditChanges(
    tx: Transaction,
    actor: AuthUser,
    before: UserRow,
    after: UserRow,
    meta: RequestMeta,
  ) {
    const base = { userId: actor.id, resourceType: 'user', resourceId: after.id, ...meta };
    if (before.role !== after.role) {
      await recordAudit(tx, {
        ...base,
        action: 'user.role_changed',
        details: { before: before.role, after: after.role },
      });
    }
    if ((before.disabledAt === null) !== (after.disabledAt === null)) {
      await recordAudit(tx, {
        ...base,
        action: after.disabledAt ? 'user.disabled' : 'user.enabled',
      });
    }
    const profile: Record<string, unknown> = {};
    if (before.name !== after.name) profile.name = { before: before.name, after: after.name };
    if (before.avatar !== after.avatar)
      profile.avatar = { before: before.avatar, after: after.avatar };
    if (Object.keys(profile).length > 0) {
      await recordAudit(tx, { ...base, action: 'user.updated', details: profile });
    }
  }
}
