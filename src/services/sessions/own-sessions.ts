import type { Database } from '../../db/client';
import { NotFoundError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { CliLogins } from '../tokens/cli-logins';
import type { SessionService } from './session-service';

export interface OwnSessionsDeps {
  db: Database;
  sessions: SessionService;
  cliLogins: Pick<CliLogins, 'list' | 'revoke'>;
}

/**
 * A user managing where they are signed in ("sign out other devices"): their sessions and,
 * listed with them as `kind: "cli"`, their device logins (refresh families).
 */
export class OwnSessions {
  constructor(private readonly deps: OwnSessionsDeps) {}

  async list(userId: number, currentSessionId: string) {
    const [rows, cli] = await Promise.all([
      this.deps.sessions.listForUser(userId),
      this.deps.cliLogins.list(userId),
    ]);
    const browser = rows.map((s) => ({
      id: s.id,
      kind: 'session' as const,
      client: null,
      provider: s.provider,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.id === currentSessionId,
    }));
    return [...browser, ...cli.map((l) => ({ ...l, current: l.id === currentSessionId }))];
  }

  /**
   * A session, or a device login (ended on every instance). Another user's id answers 404,
   * like an unknown one.
   */
  async revoke(userId: number, sessionId: string, meta: RequestMeta) {
    const row = await this.deps.db.transaction(async (tx) => {
      const revoked = await this.deps.sessions.revokeOwn(tx, userId, sessionId);
      if (!revoked) return undefined;
      await recordAudit(tx, {
        action: 'session.revoked',
        userId,
        resourceType: 'session',
        resourceId: sessionId,
        ...meta,
      });
      return revoked;
    });
    if (row) await this.deps.sessions.invalidate({ hashes: [row.tokenHash] });
    else if (!(await this.deps.cliLogins.revoke(userId, sessionId, meta))) {
      throw new NotFoundError('Session');
    }
  }

  async revokeOthers(userId: number, currentSessionId: string, meta: RequestMeta) {
    const hashes = await this.deps.db.transaction(async (tx) => {
      const revoked = await this.deps.sessions.revokeAllForUser(tx, userId, currentSessionId);
      await recordAudit(tx, {
        action: 'session.revoked',
        userId,
        resourceType: 'session',
        details: { scope: 'others', count: revoked.length },
        ...meta,
      });
      return revoked;
    });
    await this.deps.sessions.invalidate({ hashes });
    return hashes.length;
  }
}
