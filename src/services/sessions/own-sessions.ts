import type { Database } from '../../db/client';
import { NotFoundError } from '../../lib/errors';
import { type RequestMeta, recordAudit } from '../audit/audit-service';
import type { SessionService } from './session-service';

/** A user managing their own sessions ("sign out other devices"). */
export class OwnSessions {
  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
  ) {}

  async list(userId: number, currentSessionId: string) {
    const rows = await this.sessions.listForUser(userId);
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
    const row = await this.db.transaction(async (tx) => {
      const revoked = await this.sessions.revokeOwn(tx, userId, sessionId);
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
    await this.sessions.invalidate({ hashes: [row.tokenHash] });
  }

  async revokeOthers(userId: number, currentSessionId: string, meta: RequestMeta) {
    const hashes = await this.db.transaction(async (tx) => {
      const revoked = await this.sessions.revokeAllForUser(tx, userId, currentSessionId);
      await recordAudit(tx, {
        action: 'session.revoked',
        userId,
        resourceType: 'session',
        details: { scope: 'others', count: revoked.length },
        ...meta,
      });
      return revoked;
    });
    await this.sessions.invalidate({ hashes });
    return hashes.length;
  }
}
