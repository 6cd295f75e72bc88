import {
  acceptInvitation,
  addMember,
  getUser,
  listInvitations,
  listMembers,
  listUsers,
  MEMBER_LEVELS,
  type MemberLevel,
  removeMember,
  revokeInvitation,
  setMemberRole,
  updateUser,
} from '../../client';
import { EXIT } from '../../client/errors';
import { type Columns, printDescription, printList, printOne } from '../output';
import { listVerb, type Resource, revokeVerb } from '../resource';
import {
  type Context,
  type FlagSpec,
  OUTPUT_FLAG,
  required,
  requiredFlag,
  usageError,
} from '../spec';

/** Members and invitations at each level; users (admin). */

const PLATFORM_ROLES = ['admin', 'manager', 'team_member'] as const;
const MEMBER_ROLES = ['owner', 'admin', 'member', 'maintainer'] as const;

const LEVEL_FLAGS: FlagSpec[] = MEMBER_LEVELS.map((level) => ({
  name: level,
  value: level === 'company' ? 'UUID' : 'ID',
  description: `members of this ${level}${level === 'organization' ? ' (id or slug)' : ''}`,
}));

/** Exactly one of --company, --organization, --team. */
function levelOf(ctx: Context): { level: MemberLevel; id: string } {
  const given = MEMBER_LEVELS.filter((level) => ctx.flags.get(level));
  if (given.length !== 1) {
    throw usageError('Give exactly one of --company <uuid>, --organization <id>, --team <id>');
  }
  return { level: given[0]!, id: ctx.flags.get(given[0]!)! };
}

const MEMBER_COLUMNS: Columns = { table: ['userId', 'email', 'name', 'role'], wide: ['createdAt'] };
const INVITATION_COLUMNS: Columns = {
  table: ['id', 'email', 'scope', 'role', 'status', 'expiresAt'],
  wide: ['companyId', 'organizationId', 'teamId', 'createdAt'],
};
const USER_COLUMNS: Columns = {
  table: ['id', 'email', 'name', 'role', 'disabled', 'mfaEnabled'],
  wide: ['teamId', 'serviceAccount', 'createdAt', 'updatedAt'],
};

export const membersResource: Resource = {
  name: 'members',
  aliases: ['member'],
  summary: 'who belongs to a company, organization or team',
  get: listVerb(
    'list the members',
    MEMBER_COLUMNS,
    (ctx) => {
      const { level, id } = levelOf(ctx);
      return listMembers(ctx.client, level, id);
    },
    {
      flags: LEVEL_FLAGS,
      examples: ['kubegram members list --company <uuid>', 'kubegram get members --team 3 -o wide'],
    },
  ),
  create: {
    name: 'invite',
    summary: 'add a user by email (an email without an account gets an invitation) or by id',
    args: [{ name: 'email or user id' }],
    flags: [
      ...LEVEL_FLAGS,
      { name: 'role', value: 'ROLE', values: MEMBER_ROLES, description: 'default: member' },
      OUTPUT_FLAG,
    ],
    examples: ['kubegram members invite new@example.com --company <uuid> --role admin'],
    async run(ctx) {
      const { level, id } = levelOf(ctx);
      const who = required(ctx, 0, 'email or user id');
      const target = /^[1-9][0-9]*$/.test(who) ? { userId: who } : { email: who };
      const added = await addMember(ctx.client, level, id, target, ctx.flags.get('role'));
      const format = ctx.flags.get('output');
      if (format === 'json' || format === 'yaml') printOne(ctx, added as never, { table: [] });
      else if (added.kind === 'member') {
        ctx.io.out(`member/${added.member?.userId} added (${added.member?.role})`);
      } else {
        ctx.io.out(`invitation/${added.invitation?.id} created for ${added.invitation?.email}`);
        ctx.io.out(`accept link (valid 7 days, shown once): ${added.acceptUrl}`);
        if (added.emailSent) ctx.io.out('It was also sent by email.');
      }
      return EXIT.ok;
    },
  },
  delete: {
    name: 'remove',
    aliases: ['revoke'],
    summary: 'remove a member (and their memberships below this level)',
    args: [{ name: 'user id' }],
    flags: LEVEL_FLAGS,
    async run(ctx) {
      const { level, id } = levelOf(ctx);
      const userId = required(ctx, 0, 'user id');
      await removeMember(ctx.client, level, id, userId);
      ctx.io.out(`member/${userId} removed`);
      return EXIT.ok;
    },
  },
  more: [
    {
      name: 'set-role',
      summary: "change a member's role",
      args: [{ name: 'user id' }, { name: 'role', values: MEMBER_ROLES }],
      flags: LEVEL_FLAGS,
      async run(ctx) {
        const { level, id } = levelOf(ctx);
        const changed = await setMemberRole(
          ctx.client,
          level,
          id,
          required(ctx, 0, 'user id'),
          required(ctx, 1, 'role'),
        );
        ctx.io.out(`member/${changed.userId} is now ${changed.role}`);
        return EXIT.ok;
      },
    },
  ],
};

export const invitationsResource: Resource = {
  name: 'invitations',
  aliases: ['invitation'],
  summary: 'open and past invitations of a company',
  get: listVerb(
    "list a company's invitations (company owner/admin)",
    INVITATION_COLUMNS,
    (ctx) => listInvitations(ctx.client, requiredFlag(ctx, 'company', 'uuid')),
    { flags: [{ name: 'company', value: 'UUID', description: 'the company' }] },
  ),
  delete: revokeVerb('invitation', 'revoke an open invitation', revokeInvitation),
  more: [
    {
      name: 'accept',
      summary: 'accept an invitation sent to your email (its token or its whole link)',
      args: [{ name: 'token or link' }],
      async run(ctx) {
        const accepted = await acceptInvitation(ctx.client, required(ctx, 0, 'token or link'));
        const where = accepted.teamId ?? accepted.organizationId ?? accepted.companyId;
        ctx.io.out(`Joined ${accepted.scope} ${where} as ${accepted.role}`);
        return EXIT.ok;
      },
    },
  ],
};

async function changeUser(ctx: Context, patch: { role?: string; disabled?: boolean }) {
  const user = await updateUser(ctx.client, required(ctx, 0, 'user id'), patch);
  ctx.io.out(
    `user/${user.id} ${user.email}: role ${user.role}${user.disabled ? ', disabled' : ''}`,
  );
  return EXIT.ok;
}

export const usersResource: Resource = {
  name: 'users',
  aliases: ['user'],
  summary: 'accounts on this server (admin)',
  get: {
    summary: 'list users, or show one',
    args: [{ name: 'user id', optional: true }],
    flags: [
      { name: 'role', value: 'ROLE', values: PLATFORM_ROLES, description: 'only this role' },
      { name: 'email', value: 'TEXT', description: 'emails containing this' },
      { name: 'service', description: 'company-certificate service accounts instead of people' },
      OUTPUT_FLAG,
    ],
    examples: ['kubegram users list --role manager', 'kubegram get user 7 -o yaml'],
    async run(ctx) {
      const id = ctx.args[0];
      if (id) {
        printOne(ctx, (await getUser(ctx.client, id)) as never, USER_COLUMNS);
        return EXIT.ok;
      }
      const users = await listUsers(ctx.client, {
        role: ctx.flags.get('role'),
        email: ctx.flags.get('email'),
        kind: ctx.flags.has('service') ? 'service' : undefined,
      });
      printList(ctx, users as never, USER_COLUMNS);
      return EXIT.ok;
    },
  },
  describe: {
    summary: 'every field of a user',
    args: [{ name: 'user id' }],
    flags: [OUTPUT_FLAG],
    async run(ctx) {
      printDescription(ctx, (await getUser(ctx.client, required(ctx, 0, 'user id'))) as never);
      return EXIT.ok;
    },
  },
  more: [
    {
      name: 'set-role',
      summary: "change a user's platform role (their sessions end at once)",
      args: [{ name: 'user id' }, { name: 'role', values: PLATFORM_ROLES }],
      examples: ['kubegram users set-role 7 manager'],
      run: (ctx) => changeUser(ctx, { role: required(ctx, 1, 'role') }),
    },
    {
      name: 'disable',
      summary: 'disable an account (its sessions and tokens stop at once)',
      args: [{ name: 'user id' }],
      run: (ctx) => changeUser(ctx, { disabled: true }),
    },
    {
      name: 'enable',
      summary: 'enable a disabled account again',
      args: [{ name: 'user id' }],
      run: (ctx) => changeUser(ctx, { disabled: false }),
    },
  ],
};
