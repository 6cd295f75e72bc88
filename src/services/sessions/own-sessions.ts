import type { Database } from '../../db/client';
import { NotFoundError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { SessionService } from './session-service';

export interface OwnSessionsDeps {
  db: Database;
  sessions: SessionService;
}

/** A user managing their own sessions ("sign out other devices"). */
export class OwnSessions {
  constructor(private readonly deps: OwnSessionsDeps) {}

  async list(userId: number, currentSessionId: string) {
    const rows = await this.deps.sessions.listForUser(userId);
    return rows.map((s) => ({
      id: s.id,
      provider: s.provider,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.id === currentSessionId,
    }));
  }

  /** Another user's session id answers 404, like an unknown one. */
  async revoke(userId: number, sessionId: string, meta: RequestMeta) {
    const row = await this.deps.db.transaction(async (tx) => {
      const revoked = await this.deps.sessions.revokeOwn(tx, userId, sessionId);
      if (!revoked) throw new NotFoundError('Session');
      await recordAudit(tx, {
        action: 'session.revoked',
        userId,
        resourceType: 'session',
        resourceId: sessionId,
        ...meta,
      });
      return revoked;
    });
    await this.deps.sessions.invalidate({ hashes: [row.tokenHash] });
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
