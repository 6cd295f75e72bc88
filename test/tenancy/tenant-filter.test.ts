import { expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every query on a tenancy table must carry a tenant filter. This reads the source: for each
 * statement that selects from, joins, updates or deletes one of these tables, its WHERE (the
 * text after the table up to the `;`, following `const` variables it names) must mention a
 * company id, use a policy-scoped helper (scope.ts), or be keyed by the caller's own user id.
 * A lookup that is safe for another reason (a primary key checked by the policy right after,
 * a hashed token) carries a `// tenant-filter: <why>` comment just above it, for review.
 */

const SRC = join(import.meta.dir, '../../src');
const TABLES = [
  'companies',
  'organizations',
  'teams',
  'projects',
  'companyMembers',
  'organizationMembers',
  'teamMembers',
  'invitations',
];
// Also the statements over whichever child table a shared step is given (`table`, `kind.table`
// in services/tenancy/children.ts and cascade.ts).
const ACCESS = new RegExp(
  String.raw`\.(from|innerJoin|leftJoin|update|delete)\(\s*(${TABLES.join('|')}|(?:kind\.)?table)\b`,
  'g',
);
const TENANT_FILTER = [
  /companyId/, // any table's company_id column, or a company id argument
  /companies\.id/,
  /(company|organization|team|project)Filter\(/, // scope.ts: the policy in SQL
  /\b(targetWhere|userWhere)\(/, // members.ts: a membership table's company + parent
  /\.userId,\s*(actor|user|call\.actor)\.id/, // the caller's own memberships
];
const ANNOTATION = /\/\/ tenant-filter: \S/;

/** The statement text from the match to its `;`, plus the definitions of variables it uses. */
function whereText(source: string, index: number, depth = 0): string {
  const end = source.indexOf(';', index);
  let text = source.slice(index, end === -1 ? undefined : end);
  if (depth >= 3) return text;
  for (const [, name] of text.matchAll(
    /\b(?:where|and|or)\(\s*(?:\.\.\.)?([a-zA-Z_]\w*)\s*[,)]/g,
  )) {
    const defs = [...source.slice(0, index).matchAll(new RegExp(`const ${name}\\b[^=]*=`, 'g'))];
    const def = defs.at(-1)?.index;
    if (def !== undefined) text += `\n${whereText(source, def, depth + 1)}`;
  }
  return text;
}

function annotated(source: string, index: number): boolean {
  const before = source.slice(0, index).split('\n').slice(-12).join('\n');
  return ANNOTATION.test(before);
}

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.tsx?$/.test(name)) yield path;
  }
}

test('no query on a tenancy table lacks a tenant filter', () => {
  const offenders: string[] = [];
  let checked = 0;
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    if (rel.startsWith('db/schema/')) continue;
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(ACCESS)) {
      checked += 1;
      if (annotated(source, match.index!)) continue;
      const text = whereText(source, match.index!);
      if (!TENANT_FILTER.some((re) => re.test(text))) {
        const line = source.slice(0, match.index).split('\n').length;
        offenders.push(`${rel}:${line} ${match[0]}`);
      }
    }
  }
  expect(checked).toBeGreaterThan(30);
  expect(offenders).toEqual([]);
});

test('the inspection catches unfiltered queries and follows variables', () => {
  const check = (sample: string) => {
    const match = [...sample.matchAll(ACCESS)][0]!;
    return (
      annotated(sample, match.index!) ||
      TENANT_FILTER.some((re) => re.test(whereText(sample, match.index!)))
    );
  };
  expect(
    check(
      'const rows = await db.select({ companyId: projects.companyId }).from(projects).where(eq(projects.id, id));',
    ),
  ).toBe(false);
  expect(
    check(
      'const f = [isNull(teams.deletedAt)];\nconst w = and(...f);\nawait q.select().from(teams).where(w);',
    ),
  ).toBe(false);
  expect(
    check(
      'const f = [teamFilter(q, actor, cols)];\nconst w = and(...f);\nawait q.select().from(teams).where(w);',
    ),
  ).toBe(true);
  expect(
    check(
      'await q.update(projects).set(x).where(and(eq(projects.companyId, c), eq(projects.id, id)));',
    ),
  ).toBe(true);
  expect(
    check(
      '// tenant-filter: reviewed\nawait q.select().from(projects).where(eq(projects.id, id));',
    ),
  ).toBe(true);
});
