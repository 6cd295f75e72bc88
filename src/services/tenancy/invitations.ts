import { and, count, desc, eq, gt, isNull } from 'drizzle-orm';
import { companies, type InvitationRow, invitations, organizations, teams } from '../../db/schema';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors';
import { constantTimeEqual, newOpaqueToken, sha256Hex } from '../../lib/tokens';
import { audit } from './audit';
import { isUniqueViolation, now, type Queryable, type WriteCall } from './context';
import { type ListQuery, offsetOf } from './listing';
import { type AnyRole, grant, type Target, targetId } from './members';

/** Invitations live for seven days and are good for one acceptance. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function invitationView(row: InvitationRow, clockNow: number) {
  const status: 'accepted' | 'revoked' | 'expired' | 'pending' = row.acceptedAt
    ? 'accepted'
    : row.revokedAt
      ? 'revoked'
      : row.expiresAt.getTime() <= clockNow
        ? 'expired'
        : 'pending';
  return {
    id: row.id,
    email: row.email,
    scope: row.scope,
    companyId: row.companyId,
    organizationId: row.organizationId === null ? null : String(row.organizationId),
    teamId: row.teamId === null ? null : String(row.teamId),
    role: row.role,
    status,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Creates an invitation for an email with no account yet. The token is returned once, inside
 * the acceptance link; only its SHA-256 is stored. A new invitation for the same address and
 * target replaces the open one.
 */
export async function createInvitation(
  call: WriteCall,
  target: Target,
  email: string,
  role: AnyRole,
) {
  const at = now(call.ctx);
  const token = newOpaqueToken();
  await call.tx
    .update(invitations)
    .set({ revokedAt: at })
    .where(
      and(
        eq(invitations.companyId, target.companyId),
        eq(invitations.email, email),
        eq(invitations.scope, target.level),
        target.organizationId === undefined
          ? isNull(invitations.organizationId)
          : eq(invitations.organizationId, target.organizationId),
        target.teamId === undefined
          ? isNull(invitations.teamId)
          : eq(invitations.teamId, target.teamId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  const [row] = await call.tx
    .insert(invitations)
    .values({
      tokenHash: sha256Hex(token),
      email,
      scope: target.level,
      companyId: target.companyId,
      organizationId: target.organizationId ?? null,
      teamId: target.teamId ?? null,
      role,
      invitedBy: call.actor.id,
      expiresAt: new Date(at.getTime() + INVITATION_TTL_MS),
    })
    .returning();
  await audit(call, 'invitation.created', 'invitation', row!.id, {
    scope: target.level,
    targetId: targetId(target),
    email,
    role,
  });
  const acceptUrl = `${call.ctx.appUrl}/api/public/v1/invitations/${token}/accept`;
  return { invitation: row!, token, acceptUrl };
}

/** Whether the invitation's target (and everything above it) still exists. */
async function targetAlive(q: Queryable, row: InvitationRow): Promise<boolean> {
  if (row.teamId !== null) {
    const [t] = await q
      .select({ id: teams.id })
      .from(teams)
      .where(
        and(eq(teams.id, row.teamId), eq(teams.companyId, row.companyId), isNull(teams.deletedAt)),
      );
    return Boolean(t);
  }
  if (row.organizationId !== null) {
    const [o] = await q
      .select({ id: organizations.id })
      .from(organizations)
      .where(
        and(
          eq(organizations.id, row.organizationId),
          eq(organizations.companyId, row.companyId),
          isNull(organizations.deletedAt),
        ),
      );
    return Boolean(o);
  }
  const [c] = await q
    .select({ id: companies.id })
    .from(companies)
    .where(and(eq(companies.id, row.companyId), isNull(companies.deletedAt)));
  return Boolean(c);
}

/**
 * Accepts by a signed-in user whose email is the invited one. The row is claimed with a
 * conditional UPDATE, so two concurrent acceptances cannot both succeed.
 */
export async function acceptInvitation(call: WriteCall, token: string) {
  if (!TOKEN_SHAPE.test(token)) throw new NotFoundError('Invitation');
  const hash = sha256Hex(token);
  // tenant-filter: the token is the credential; its hash names exactly one invitation.
  const [row] = await call.tx.select().from(invitations).where(eq(invitations.tokenHash, hash));
  if (!row || !constantTimeEqual(row.tokenHash, hash)) throw new NotFoundError('Invitation');
  const at = now(call.ctx);
  if (row.acceptedAt) throw new ConflictError('This invitation has already been used');
  if (row.revokedAt) throw new ConflictError('This invitation has been revoked');
  if (row.expiresAt.getTime() <= at.getTime())
    throw new ConflictError('This invitation has expired');
  if (row.email !== call.actor.email) {
    throw new ForbiddenError('This invitation was sent to a different email address');
  }
  if (!(await targetAlive(call.tx, row))) throw new NotFoundError('Invitation');
  const [claimed] = await call.tx
    .update(invitations)
    .set({ acceptedAt: at, acceptedBy: call.actor.id })
    .where(
      and(
        eq(invitations.companyId, row.companyId),
        eq(invitations.id, row.id),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, at),
      ),
    )
    .returning();
  if (!claimed) throw new ConflictError('This invitation has already been used');
  const target: Target = {
    level: row.scope,
    companyId: row.companyId,
    organizationId: row.organizationId ?? undefined,
    teamId: row.teamId ?? undefined,
  };
  await grantOrUpgrade(call, target, row.role as AnyRole);
  await audit(call, 'invitation.accepted', 'invitation', row.id, { scope: row.scope });
  return claimed;
}

/** An invitee who meanwhile became a member keeps their membership; the invitation is used. */
async function grantOrUpgrade(call: WriteCall, target: Target, role: AnyRole) {
  try {
    await call.tx.transaction(async (sp) => {
      await grant({ ...call, tx: sp }, target, call.actor.id, role);
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function listInvitations(q: Queryable, companyId: string, page: ListQuery) {
  const where = eq(invitations.companyId, companyId);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(invitations)
      .where(where)
      .orderBy(desc(invitations.createdAt), desc(invitations.id))
      .limit(page.limit)
      .offset(offsetOf(page)),
    q.select({ value: count() }).from(invitations).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}

/** The invitation, for a caller already authorised on its company. */
export async function findInvitation(q: Queryable, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  // tenant-filter: callers authorise on the returned row's company before using it.
  const [row] = await q.select().from(invitations).where(eq(invitations.id, id));
  return row;
}

export async function revokeInvitation(call: WriteCall, row: InvitationRow) {
  if (row.acceptedAt || row.revokedAt) throw new ConflictError('The invitation is no longer open');
  await call.tx
    .update(invitations)
    .set({ revokedAt: now(call.ctx) })
    .where(and(eq(invitations.id, row.id), eq(invitations.companyId, row.companyId)));
  await audit(call, 'invitation.revoked', 'invitation', row.id, { email: row.email });
}
