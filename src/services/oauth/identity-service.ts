import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { oauthAccounts, users } from '../../db/schema';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { ProviderRegistry } from './provider-registry';

export interface IdentityView {
  id: string;
  provider: string;
  providerName: string;
  email: string | null;
  emailVerified: boolean;
  username: string | null;
  createdAt: string;
  lastLoginAt: string | null;
  /** False when it is the account's last way to sign in. */
  removable: boolean;
}

export interface IdentityServiceDeps {
  db: Database;
  registry: ProviderRegistry;
}

/** A signed-in user's linked sign-in identities: list and unlink. */
export class IdentityService {
  constructor(private readonly deps: IdentityServiceDeps) {}

  async list(userId: number): Promise<IdentityView[]> {
    const [user] = await this.deps.db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.id, userId));
    const rows = await this.deps.db
      .select()
      .from(oauthAccounts)
      .where(eq(oauthAccounts.userId, userId))
      .orderBy(asc(oauthAccounts.createdAt), asc(oauthAccounts.id));
    const names = new Map((await this.deps.registry.all()).map((p) => [p.id, p.displayName]));
    const methods = rows.length + (user?.passwordHash ? 1 : 0);
    return rows.map((r) => ({
      id: String(r.id),
      provider: r.provider,
      providerName: names.get(r.provider) ?? r.provider,
      email: r.email,
      emailVerified: r.emailVerified,
      username: r.profile?.username ?? null,
      createdAt: r.createdAt.toISOString(),
      lastLoginAt: r.lastLoginAt?.toISOString() ?? null,
      removable: methods > 1,
    }));
  }

  /** Unlinks one of the user's identities; the last way to sign in is refused (409). */
  async unlink(userId: number, identityId: number, meta: RequestMeta): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      // Row lock: two concurrent unlinks cannot both see "one other method left".
      const [user] = await tx
        .select({ id: users.id, passwordHash: users.passwordHash })
        .from(users)
        .where(and(eq(users.id, userId), isNull(users.deletedAt)))
        .for('update');
      if (!user) throw new NotFoundError('Identity');
      const rows = await tx
        .select({ id: oauthAccounts.id, provider: oauthAccounts.provider })
        .from(oauthAccounts)
        .where(eq(oauthAccounts.userId, userId));
      const target = rows.find((r) => r.id === identityId);
      if (!target) throw new NotFoundError('Identity');
      const remaining = rows.length - 1 + (user.passwordHash ? 1 : 0);
      if (remaining < 1) {
        throw new ConflictError(
          'This is your last way to sign in; add a password or link another provider first',
        );
      }
      await tx.delete(oauthAccounts).where(eq(oauthAccounts.id, identityId));
      await recordAudit(tx, {
        action: 'auth.identity_unlinked',
        userId,
        resourceType: 'oauth_account',
        resourceId: identityId,
        details: { provider: target.provider },
        ...meta,
      });
    });
  }
}
