import { and, eq, isNull } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Database, Queryable } from '../../db/client';
import { oauthAccounts, type UserRow, users } from '../../db/schema';
import type { Clock } from '../../lib/clock';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import { createAccount, openSession } from '../auth/account-creation';
import { parseEmail } from '../auth/credentials';
import { type AuthUser, toAuthUser } from '../auth/types';
import type { SessionService } from '../sessions/session-service';
import { OAuthFlowError } from './flow-error';
import type { ExternalProfile, ProviderDefinition } from './types';

export interface OAuthSignIn {
  user: AuthUser;
  token: string;
  sessionId: string;
  /** A new account was created by this sign-in. */
  created: boolean;
}

/** Lost a race with a concurrent first sign-in of the same identity: run again. */
class IdentityRace extends Error {}

function profileJson(profile: ExternalProfile): Record<string, string> {
  const out: Record<string, string> = {};
  if (profile.name) out.name = profile.name;
  if (profile.username) out.username = profile.username;
  if (profile.picture) out.picture = profile.picture;
  return out;
}

/** Only an https image URL from a provider becomes the avatar (never javascript:, data: …). */
function safeAvatar(picture: string | undefined): string | null {
  if (!picture) return null;
  try {
    return new URL(picture).protocol === 'https:' ? picture : null;
  } catch {
    return null;
  }
}

function verifiedEmail(profile: ExternalProfile): string {
  if (!profile.email || !profile.emailVerified) throw new OAuthFlowError('email_unverified');
  try {
    return parseEmail(profile.email);
  } catch (err) {
    if (err instanceof ValidationError) throw new OAuthFlowError('email_unverified');
    throw err;
  }
}

export interface OAuthLoginServiceDeps {
  db: Database;
  sessions: SessionService;
  config: Pick<Config, 'allowRegistration'>;
  clock: Clock;
}

/**
 * Turns an identity proven by a provider into a signed-in user. Identities are keyed by
 * (provider, subject); an email only ever links to an existing account when the provider is
 * trusted for it (trustEmail), and that link is audited.
 */
export class OAuthLoginService {
  constructor(private readonly deps: OAuthLoginServiceDeps) {}

  async signIn(
    provider: ProviderDefinition,
    profile: ExternalProfile,
    meta: RequestMeta,
  ): Promise<OAuthSignIn> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.deps.db.transaction((tx) => this.signInOnce(tx, provider, profile, meta));
      } catch (err) {
        if (!(err instanceof IdentityRace) || attempt >= 2) throw err;
      }
    }
  }

  private async signInOnce(
    tx: Queryable,
    provider: ProviderDefinition,
    profile: ExternalProfile,
    meta: RequestMeta,
  ): Promise<OAuthSignIn> {
    const known = await this.findIdentity(tx, provider.id, profile.subject);
    if (known?.user) {
      if (known.user.disabledAt) throw new OAuthFlowError('account_disabled');
      await tx
        .update(oauthAccounts)
        .set({
          lastLoginAt: new Date(this.deps.clock.now()),
          // The verified address is kept current; an unverified one never replaces it.
          ...(profile.emailVerified && profile.email
            ? { email: profile.email, emailVerified: true }
            : {}),
          profile: profileJson(profile),
        })
        .where(eq(oauthAccounts.id, known.identity.id));
      return this.start(tx, toAuthUser(known.user), meta, provider, false);
    }
    if (known) {
      // The account it belonged to was deleted; the identity starts afresh.
      await tx.delete(oauthAccounts).where(eq(oauthAccounts.id, known.identity.id));
    }

    const email = verifiedEmail(profile);
    const [owner] = await tx
      .select()
      .from(users)
      .where(and(eq(users.email, email), isNull(users.deletedAt)))
      .limit(1);
    if (owner) {
      if (!provider.trustEmail) {
        throw new OAuthFlowError('account_exists', { existingUserId: owner.id });
      }
      if (owner.disabledAt) throw new OAuthFlowError('account_disabled');
      await this.insertIdentity(tx, owner.id, provider, profile);
      await recordAudit(tx, {
        action: 'auth.identity_linked',
        userId: owner.id,
        resourceType: 'oauth_account',
        resourceId: `${provider.id}:${profile.subject}`,
        details: { provider: provider.id, via: 'trusted_email' },
        ...meta,
      });
      return this.start(tx, toAuthUser(owner), meta, provider, false);
    }

    let row: UserRow;
    try {
      row = await createAccount(
        tx,
        {
          email,
          name: (profile.name ?? profile.username ?? email.split('@')[0]!).slice(0, 200),
          passwordHash: null,
          avatar: safeAvatar(profile.picture),
        },
        { registrationOpen: this.deps.config.allowRegistration || provider.allowSignup },
      );
    } catch (err) {
      if (err instanceof ForbiddenError) throw new OAuthFlowError('signup_closed');
      if (err instanceof ConflictError) throw new IdentityRace();
      throw err;
    }
    await this.insertIdentity(tx, row.id, provider, profile);
    const user = toAuthUser(row);
    await recordAudit(tx, {
      action: 'auth.register',
      userId: user.id,
      resourceType: 'user',
      resourceId: user.id,
      details: { role: user.role, provider: provider.id },
      ...meta,
    });
    return this.start(tx, user, meta, provider, true);
  }

  /** Links an identity to the signed-in user (the ?link=true flow). */
  async link(
    provider: ProviderDefinition,
    profile: ExternalProfile,
    userId: number,
    meta: RequestMeta,
  ): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const [user] = await tx
        .select()
        .from(users)
        .where(and(eq(users.id, userId), isNull(users.deletedAt)))
        .limit(1);
      if (!user || user.disabledAt) throw new OAuthFlowError('link_session_lost');
      const known = await this.findIdentity(tx, provider.id, profile.subject);
      if (known?.user && known.user.id !== userId) {
        throw new OAuthFlowError('identity_taken', { linkedUserId: known.user.id });
      }
      if (known?.user) return; // already linked to this very account
      if (known) await tx.delete(oauthAccounts).where(eq(oauthAccounts.id, known.identity.id));
      try {
        await this.insertIdentity(tx, userId, provider, profile);
      } catch (err) {
        // Someone signed in with this identity at the same moment: it is theirs now.
        if (err instanceof IdentityRace) throw new OAuthFlowError('identity_taken');
        throw err;
      }
      await recordAudit(tx, {
        action: 'auth.identity_linked',
        userId,
        resourceType: 'oauth_account',
        resourceId: `${provider.id}:${profile.subject}`,
        details: { provider: provider.id, via: 'link' },
        ...meta,
      });
    });
  }

  private async findIdentity(tx: Queryable, provider: string, subject: string) {
    const [found] = await tx
      .select({ identity: oauthAccounts, user: users })
      .from(oauthAccounts)
      .leftJoin(users, and(eq(users.id, oauthAccounts.userId), isNull(users.deletedAt)))
      .where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.subject, subject)))
      .limit(1);
    return found;
  }

  private async insertIdentity(
    tx: Queryable,
    userId: number,
    provider: ProviderDefinition,
    profile: ExternalProfile,
  ) {
    const inserted = await tx
      .insert(oauthAccounts)
      .values({
        userId,
        provider: provider.id,
        subject: profile.subject,
        email: profile.email ?? null,
        emailVerified: profile.emailVerified,
        profile: profileJson(profile),
        lastLoginAt: new Date(this.deps.clock.now()),
      })
      .onConflictDoNothing()
      .returning({ id: oauthAccounts.id });
    if (inserted.length === 0) throw new IdentityRace();
  }

  private async start(
    tx: Queryable,
    user: AuthUser,
    meta: RequestMeta,
    provider: ProviderDefinition,
    created: boolean,
  ): Promise<OAuthSignIn> {
    const { token, session } = await openSession(tx, this.deps.sessions, user, meta, provider.id);
    return { user, token, sessionId: session.id, created };
  }
}
