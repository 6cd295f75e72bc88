import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { parse } from 'yaml';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { seedTenant, type Tenant } from '../tenancy/fixtures';
import { type LiveApp, startLiveApp } from '../tokens/helpers';
import { type CliHome, cliHome } from './helpers';

/** Members, invitations and users through the real CLI, with its output formats and exit codes. */

let live: LiveApp;
let admin: SeededUser;
let tenant: Tenant;
const homes: CliHome[] = [];

async function signedIn(who: SeededUser) {
  const cli = cliHome();
  homes.push(cli);
  const res = await cli.run(['login', '--password', '--email', who.email, '--api-url', live.base], {
    stdin: `${who.password}\n`,
  });
  expect(res.code).toBe(0);
  return cli;
}

let owner: CliHome;
let adminCli: CliHome;

beforeAll(async () => {
  live = await startLiveApp({ env: { RATE_LIMIT_MAX_REQUESTS: '100000' } });
  admin = await createUser(live.t, { role: 'admin' });
  tenant = await seedTenant(live.t, 'CliPeople');
  owner = await signedIn(tenant.owner);
  adminCli = await signedIn(admin);
}, 90_000);
afterAll(async () => {
  for (const home of homes) home.remove();
  await live.close();
});

describe('members', () => {
  test('list at each level in every output format', async () => {
    const table = await owner.run(['members', 'list', '--company', tenant.company.id]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^USER ID\s+EMAIL\s+NAME\s+ROLE$/);
    expect(table.stdout).toContain(tenant.owner.email);
    const wide = await owner.run(['get', 'members', '--company', tenant.company.id, '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/ROLE\s+CREATED AT$/);
    const json = JSON.parse(
      (await owner.run(['get', 'members', '--team', tenant.team.id, '-o', 'json'])).stdout,
    );
    expect(json.map((m: { email: string }) => m.email).sort()).toEqual(
      [tenant.maintainer.email, tenant.teamMember.email].sort(),
    );
    const yaml = parse(
      (await owner.run(['members', 'list', '--organization', tenant.organization.id, '-o', 'yaml']))
        .stdout,
    );
    expect(yaml.some((m: { email: string }) => m.email === tenant.orgAdmin.email)).toBe(true);
    const neither = await owner.run(['members', 'list']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('exactly one of --company');
  });

  test('invite an account, set its role, remove it', async () => {
    const someone = await createUser(live.t, { role: 'team_member' });
    const added = await owner.run([
      'members',
      'invite',
      someone.email,
      '--company',
      tenant.company.id,
      '--role',
      'admin',
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`member/${someone.id} added (admin)`);
    const changed = await owner.run([
      'members',
      'set-role',
      someone.id,
      'member',
      '--company',
      tenant.company.id,
    ]);
    expect(changed.stdout).toContain(`member/${someone.id} is now member`);
    const removed = await owner.run([
      'delete',
      'member',
      someone.id,
      '--company',
      tenant.company.id,
    ]);
    expect(removed.code).toBe(0);
    const after = await owner.run(['get', 'members', '--company', tenant.company.id, '-o', 'json']);
    expect(JSON.parse(after.stdout).some((m: { userId: string }) => m.userId === someone.id)).toBe(
      false,
    );
  });
});

describe('invitations', () => {
  test('an email without an account is invited; list, accept with the link, revoke another', async () => {
    const email = `invitee-${Date.now()}@example.com`;
    const invited = await owner.run(['create', 'member', email, '--company', tenant.company.id]);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toContain(`created for ${email}`);
    const link = /accept link \(valid 7 days, shown once\): (\S+)/.exec(invited.stdout)?.[1];
    expect(link).toBeDefined();

    const listed = await owner.run(['invitations', 'list', '--company', tenant.company.id]);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+SCOPE\s+ROLE\s+STATUS/);
    expect(listed.stdout).toContain(email);
    expect((await owner.run(['invitations', 'list'])).code).toBe(2);

    const invitee = await createUser(live.t, { email, role: 'team_member' });
    const inviteeCli = await signedIn(invitee);
    const accepted = await inviteeCli.run(['invitations', 'accept', link!]);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`Joined company ${tenant.company.id} as member`);
    const companies = await inviteeCli.run(['get', 'companies', '-o', 'json']);
    expect(
      JSON.parse(companies.stdout).some((c: { id: string }) => c.id === tenant.company.id),
    ).toBe(true);

    const other = await owner.run([
      'members',
      'invite',
      `other-${Date.now()}@example.com`,
      '--company',
      tenant.company.id,
      '-o',
      'json',
    ]);
    const { invitation } = JSON.parse(other.stdout);
    const revoked = await owner.run(['invitations', 'revoke', invitation.id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`invitation/${invitation.id} revoked`);
    const open = JSON.parse(
      (await owner.run(['get', 'invitations', '--company', tenant.company.id, '-o', 'json']))
        .stdout,
    );
    expect(open.find((i: { id: string }) => i.id === invitation.id).status).toBe('revoked');
  });
});

describe('users (admin)', () => {
  test('list with filters, describe, set a role, disable and enable', async () => {
    const target = await createUser(live.t, { role: 'team_member' });
    const listed = await adminCli.run(['users', 'list', '--email', target.email]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(
      /^ID\s+EMAIL\s+NAME\s+ROLE\s+DISABLED\s+MFA ENABLED$/,
    );
    expect(listed.stdout.trim().split('\n')).toHaveLength(2);
    const managers = JSON.parse(
      (await adminCli.run(['get', 'users', '--role', 'admin', '-o', 'json'])).stdout,
    );
    expect(managers.map((u: { email: string }) => u.email)).toEqual([admin.email]);
    const described = await adminCli.run(['describe', 'user', target.id]);
    expect(described.stdout).toMatch(/Email:\s+/);
    expect(described.stdout).toContain(target.email);

    const role = await adminCli.run(['users', 'set-role', target.id, 'manager']);
    expect(role.stdout).toContain(`user/${target.id} ${target.email}: role manager`);
    // A role change ends the user's sessions at once.
    expect(
      (await call(live.t, 'GET', '/api/public/v1/auth/me', { bearer: target.token })).status,
    ).toBe(401);
    const disabled = await adminCli.run(['users', 'disable', target.id]);
    expect(disabled.stdout).toContain('disabled');
    const login = await call(live.t, 'POST', '/api/public/v1/auth/login', {
      body: { email: target.email, password: target.password },
    });
    expect(login.status).toBe(401);
    expect((await adminCli.run(['users', 'enable', target.id])).code).toBe(0);
    const again = await call(live.t, 'POST', '/api/public/v1/auth/login', {
      body: { email: target.email, password: target.password },
    });
    expect(again.status).toBe(200);
  });

  test('exit codes: 6 for a role that may not, 5 for what does not exist, 2 for a bad role', async () => {
    const forbidden = await owner.run(['users', 'list']);
    expect(forbidden.code).toBe(6);
    expect(forbidden.stderr).toContain('error:');
    expect((await adminCli.run(['describe', 'user', '999999'])).code).toBe(5);
    const badRole = await adminCli.run(['users', 'set-role', admin.id]);
    expect(badRole.code).toBe(2);
    const invalid = await adminCli.run(['users', 'set-role', admin.id, 'emperor']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('role');
  });
});
