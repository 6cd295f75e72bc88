import { can, type Standing, TENANCY_RULES, type TenancyAction } from '../../src/services/policy';

/**
 * Renders the permission matrix of docs/permissions.md from src/services/policy.ts, so the
 * document and the code cannot drift: permissions-doc.test.ts compares the two. Run
 * `bun test/tenancy/permission-table.ts` to print the table after changing the policy.
 */

const none = { company: null, organization: null, team: null } as const;

/** The columns: who the caller is relative to the resource. */
export const PERSONAS: { label: string; standing: Standing }[] = [
  { label: 'anonymous', standing: { platform: 'anonymous', ...none } },
  { label: 'platform admin', standing: { platform: 'admin', ...none } },
  { label: 'company owner', standing: { platform: 'team_member', ...none, company: 'owner' } },
  { label: 'company admin', standing: { platform: 'team_member', ...none, company: 'admin' } },
  { label: 'company member', standing: { platform: 'team_member', ...none, company: 'member' } },
  {
    label: 'manager + company member',
    standing: { platform: 'manager', ...none, company: 'member' },
  },
  {
    label: 'org owner',
    standing: { platform: 'team_member', company: 'member', organization: 'owner', team: null },
  },
  {
    label: 'org admin',
    standing: { platform: 'team_member', company: 'member', organization: 'admin', team: null },
  },
  {
    label: 'org member',
    standing: { platform: 'team_member', company: 'member', organization: 'member', team: null },
  },
  {
    label: 'team maintainer',
    standing: {
      platform: 'team_member',
      company: 'member',
      organization: 'member',
      team: 'maintainer',
    },
  },
  {
    label: 'team member',
    standing: {
      platform: 'team_member',
      company: 'member',
      organization: 'member',
      team: 'member',
    },
  },
  {
    label: 'team member, project creator',
    standing: {
      platform: 'team_member',
      company: 'member',
      organization: 'member',
      team: 'member',
      creator: true,
    },
  },
  { label: 'other company', standing: { platform: 'team_member', ...none } },
];

const READ_OF: Partial<Record<TenancyAction, TenancyAction>> = {};
for (const action of Object.keys(TENANCY_RULES) as TenancyAction[]) {
  const [resource] = action.split('.');
  if (['company', 'organization', 'team', 'project'].includes(resource!)) {
    READ_OF[action] = `${resource}.read` as TenancyAction;
  }
}

const OPTIONAL_AUTH = new Set<TenancyAction>(['company.read', 'company.readFull', 'project.read']);

/** ✓ allowed; 403 visible but not allowed; 404 not visible (not even its existence); 401 sign in. */
export function cell(action: TenancyAction, standing: Standing): string {
  if (can(standing, action)) return '✓';
  const read = READ_OF[action];
  const creates = action.endsWith('.create') || action === 'company.list';
  // Reads of one company or project accept anonymous callers (optional auth): not visible.
  if (standing.platform === 'anonymous') return OPTIONAL_AUTH.has(action) ? '404' : '401';
  if (read && !creates && read !== action && can(standing, read)) return '403';
  if (read && creates && action !== 'company.create') {
    // Creating under a parent: the parent's read rule decides 404 vs 403.
    const parentRead: Record<string, TenancyAction> = {
      'organization.create': 'company.read',
      'team.create': 'organization.read',
      'project.create': 'team.read',
    };
    return can(standing, parentRead[action]!) ? '403' : '404';
  }
  return read ? '404' : '403';
}

export function renderPermissionTable(): string {
  const header = `| action | ${PERSONAS.map((p) => p.label).join(' | ')} |`;
  const rule = `|---|${PERSONAS.map(() => ':-:').join('|')}|`;
  const rows = (Object.keys(TENANCY_RULES) as TenancyAction[]).map((action) => {
    const label = TENANCY_RULES[action].label;
    return `| \`${action}\` ${label} | ${PERSONAS.map((p) => cell(action, p.standing)).join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

if (import.meta.main) console.log(renderPermissionTable());
