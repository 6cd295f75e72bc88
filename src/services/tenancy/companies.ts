import { and, count, eq, ilike, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { type CompanyRow, companies, companyMembers } from '../../db/schema';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../lib/errors';
import { recordAudit } from '../audit/audit-service';
import { recordLedger } from '../billing/ledger';
import { can, type Standing, writableCompanyFields } from '../policy';
import { audit } from './audit';
import { softDeleteCompany } from './cascade';
import {
  type Actor,
  changedFields,
  InsufficientTokensError,
  now,
  type Queryable,
  requestedChanges,
  type TenancyContext,
  type WriteCall,
} from './context';
import { containsPattern, type ListQuery, offsetOf, orderBy } from './listing';
import { resolveCompany } from './resolve';
import { companyFilter } from './scope';
import { companyView, publicCompanyView } from './views';

export interface CompanyInput {
  name: string;
  stripeCustomerId?: string | null;
  tokens?: number;
}
export type CompanyPatch = Partial<CompanyInput>;

const AUDITED = ['name', 'stripeCustomerId', 'tokens'] as const;

/** Refuses any field the caller may not write, naming it: bodies cannot smuggle `tokens`. */
function assertWritable(standing: Standing, input: object) {
  const allowed = writableCompanyFields(standing);
  const refused = Object.entries(input)
    .filter(([key, value]) => value !== undefined && !allowed.has(key))
    .map(([key]) => key);
  if (refused.length > 0) throw new ForbiddenError(`You cannot set: ${refused.join(', ')}`);
}

export async function createCompany(call: WriteCall, input: CompanyInput): Promise<CompanyRow> {
  // The creator becomes owner; what they may set is what an owner may set.
  const asOwner: Standing = {
    platform: call.actor.role,
    company: 'owner',
    organization: null,
    team: null,
  };
  assertWritable(asOwner, input);
  const [row] = await call.tx
    .insert(companies)
    .values({
      name: input.name,
      stripeCustomerId: input.stripeCustomerId ?? null,
      tokens: input.tokens ?? 0,
      createdBy: call.actor.id,
    })
    .returning();
  await call.tx
    .insert(companyMembers)
    .values({ companyId: row!.id, userId: call.actor.id, role: 'owner' });
  if (row!.tokens !== 0) {
    await recordLedger(call.tx, {
      companyId: row!.id,
      userId: call.actor.id,
      amount: row!.tokens,
      reason: 'company.initial_grant',
      balanceAfter: row!.tokens,
    });
  }
  await audit(call, 'company.created', 'company', row!.id, {
    after: { name: row!.name, stripeCustomerId: row!.stripeCustomerId, tokens: row!.tokens },
  });
  return row!;
}

export async function updateCompany(
  call: WriteCall,
  id: string,
  patch: CompanyPatch,
): Promise<{ row: CompanyRow; standing: Standing; changed: boolean }> {
  const { row: before, standing } = await resolveCompany(
    call.tx,
    call.actor,
    id,
    'company.update',
    true,
  );
  assertWritable(standing, patch);
  const changes: Partial<typeof companies.$inferInsert> = requestedChanges(before, patch, [
    'name',
    'stripeCustomerId',
  ]);
  const tokensDelta =
    patch.tokens === undefined ? 0 : await lockedBalanceDelta(call, id, patch.tokens);
  if (tokensDelta !== 0) changes.tokens = patch.tokens;
  if (Object.keys(changes).length === 0) return { row: before, standing, changed: false };
  const [after] = await call.tx
    .update(companies)
    .set({ ...changes, updatedAt: now(call.ctx) })
    .where(eq(companies.id, id))
    .returning();
  if (tokensDelta !== 0) {
    await recordLedger(call.tx, {
      companyId: id,
      userId: call.actor.id,
      amount: tokensDelta,
      reason: 'company.admin_set',
      balanceAfter: after!.tokens,
    });
  }
  await audit(call, 'company.updated', 'company', id, changedFields(before, after!, AUDITED));
  return { row: after!, standing, changed: true };
}

/**
 * An admin sets the balance to an absolute value; what is recorded is the difference from the
 * balance at this moment, read under the row lock, so a job settling concurrently is neither
 * overwritten unseen nor left out of the ledger. (NO KEY UPDATE for the reason given in
 * services/codegen/tokens.ts.)
 */
async function lockedBalanceDelta(call: WriteCall, id: string, target: number): Promise<number> {
  const [current] = await call.tx
    .select({ tokens: companies.tokens })
    .from(companies)
    .where(eq(companies.id, id))
    .for('no key update');
  return target - (current?.tokens ?? target);
}

export async function deleteCompany(call: WriteCall, id: string) {
  const { row } = await resolveCompany(call.tx, call.actor, id, 'company.delete', true);
  await softDeleteCompany(call, id);
  await audit(call, 'company.deleted', 'company', id, { before: { name: row.name } });
}

export async function getCompany(q: Queryable, actor: Actor, id: string) {
  const { row, standing } = await resolveCompany(q, actor, id);
  return companyView(row, standing);
}

export interface CompanyListQuery extends ListQuery {
  name?: string;
}

const SORTABLE = { name: companies.name, createdAt: companies.createdAt };

/**
 * The directory: everyone sees id + name of every company (unless the directory is off, in
 * which case only signed-in callers list, and only their own companies); members see more.
 */
export async function listCompanies(
  ctx: TenancyContext & { publicDirectory: boolean },
  actor: Actor,
  query: CompanyListQuery,
) {
  if (!actor && !ctx.publicDirectory) throw new UnauthenticatedError();
  const filters: SQL[] = [isNull(companies.deletedAt)];
  if (query.name) filters.push(ilike(companies.name, containsPattern(query.name)));
  if (!ctx.publicDirectory && actor) {
    const own = companyFilter(ctx.db, actor, companies.id);
    if (own) filters.push(own);
  }
  const where = and(...filters);
  // tenant-filter: the directory (id + name) is public by design unless PUBLIC_COMPANY_DIRECTORY
  // is off, in which case `own` limits it to the caller's companies; fields beyond id and name
  // are added per row only where policy.can(company.read) allows.
  const [rows, [total]] = await Promise.all([
    ctx.db
      .select()
      .from(companies)
      .where(where)
      .orderBy(...orderBy(query.sort, SORTABLE, 'createdAt', companies.id))
      .limit(query.limit)
      .offset(offsetOf(query)),
    ctx.db.select({ value: count() }).from(companies).where(where),
  ]);
  const roles = new Map<string, Standing['company']>();
  if (actor && rows.length > 0 && actor.role !== 'admin') {
    const mine = await ctx.db
      .select({ companyId: companyMembers.companyId, role: companyMembers.role })
      .from(companyMembers)
      .where(
        and(
          eq(companyMembers.userId, actor.id),
          inArray(
            companyMembers.companyId,
            rows.map((r) => r.id),
          ),
        ),
      );
    for (const m of mine) roles.set(m.companyId, m.role);
  }
  const data = rows.map((row) => {
    const standing: Standing = {
      platform: actor ? actor.role : 'anonymous',
      company: roles.get(row.id) ?? null,
      organization: null,
      team: null,
    };
    return can(standing, 'company.read') ? companyView(row, standing) : publicCompanyView(row);
  });
  return { data, total: total?.value ?? 0 };
}

/**
 * Adds `delta` (negative to spend) to a company's balance atomically; a spend that would take
 * the balance below zero changes nothing and throws 402. Returns the new balance.
 */
export async function adjustTokens(
  q: Queryable,
  companyId: string,
  delta: number,
  note?: { actorId: number | null; reason: string; meta?: WriteCall['meta'] },
): Promise<number> {
  if (!Number.isSafeInteger(delta)) throw new TypeError('delta must be an integer');
  const [row] = await q
    .update(companies)
    .set({ tokens: sql`${companies.tokens} + ${delta}` })
    .where(
      and(
        eq(companies.id, companyId),
        isNull(companies.deletedAt),
        sql`${companies.tokens} + ${delta} >= 0`,
      ),
    )
    .returning({ tokens: companies.tokens });
  if (!row) {
    const [current] = await q
      .select({ tokens: companies.tokens })
      .from(companies)
      .where(and(eq(companies.id, companyId), isNull(companies.deletedAt)));
    if (!current) throw new NotFoundError('Company');
    throw new InsufficientTokensError(current.tokens, -delta);
  }
  await recordLedger(q, {
    companyId,
    userId: note?.actorId ?? null,
    amount: delta,
    reason: note?.reason ?? 'adjustment',
    balanceAfter: row.tokens,
  });
  if (note) {
    await recordAudit(q, {
      action: 'company.tokens_adjusted',
      userId: note.actorId,
      resourceType: 'company',
      resourceId: companyId,
      details: { delta, balance: row.tokens, reason: note.reason },
      ...note.meta,
    });
  }
  return row.tokens;
}
