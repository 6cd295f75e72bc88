import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../helpers/http';
import { enableMfa } from '../helpers/mfa';
import { freePort } from '../helpers/private-redis';
import { createUser, type SeededUser } from '../helpers/seed';
import { answerDeviceCode, type LiveApp, startLiveApp } from '../tokens/helpers';
import { type CliHome, cliHome } from './helpers';

let live: LiveApp;
let user: SeededUser;
let cliAt: CliHome;
let home: string;

beforeAll(async () => {
  live = await startLiveApp();
  await createUser(live.t, { role: 'admin' });
  user = await createUser(live.t, { role: 'manager' });
  cliAt = cliHome();
  home = cliAt.home;
});
afterAll(async () => {
  cliAt.remove();
  await live.close();
});

const spawnCli = (args: string[], options?: { stdin?: string; env?: Record<string, string> }) =>
  cliAt.spawn(args, options);
const cli = (args: string[], options?: { stdin?: string; env?: Record<string, string> }) =>
  cliAt.run(args, options);
const authFile = () => cliAt.authFile;

describe('kubegram CLI against a live server', () => {
  test('login by device flow, approved in the "browser" by the test', async () => {
    const proc = spawnCli(['login', '--api-url', live.base]);
    const reader = proc.stdout.getReader();
    let seen = '';
    let code: string | undefined;
    while (!code) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
      code = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(seen)?.[1];
    }
    expect(code).toBeDefined();
    expect(seen).toContain(`${live.base}/device`);
    const answered = await answerDeviceCode(live.t, user, code!);
    expect(answered.status).toBe(200);
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(await proc.exited).toBe(0);
    expect(seen + rest).toContain(`Logged in as ${user.email}`);

    const dir = statSync(join(home, '.kubegram'));
    expect(dir.mode & 0o777).toBe(0o700);
    expect(statSync(authFile()).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(authFile(), 'utf8'));
    expect(stored.type).toBe('oauth');
    expect(stored.apiUrl).toBe(live.base);
  }, 30_000);

  test('whoami uses the stored login (server from the stored config)', async () => {
    const res = await cli(['whoami']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(user.email);
    expect(res.stdout).toContain('role manager');
  });

  test('an expired access token is refreshed transparently', async () => {
    const stored = JSON.parse(readFileSync(authFile(), 'utf8'));
    writeFileSync(authFile(), JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }));
    const res = await cli(['whoami']);
    expect(res.code).toBe(0);
    const after = JSON.parse(readFileSync(authFile(), 'utf8'));
    expect(after.refreshToken).not.toBe(stored.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now());
    expect(statSync(authFile()).mode & 0o777).toBe(0o600);
  });

  test('apply -f creates resources; get -o json/yaml/table lists them', async () => {
    const manifest = join(home, 'acme.yaml');
    writeFileSync(
      manifest,
      [
        'apiVersion: kubegram.io/v1',
        'kind: Company',
        'metadata:',
        '  name: CLI Acme',
        '---',
        'apiVersion: kubegram.io/v1',
        'kind: Organization',
        'metadata:',
        '  name: platform',
        'spec:',
        '  company: CLI Acme',
        '',
      ].join('\n'),
    );
    const dry = await cli(['apply', '-f', manifest, '--dry-run']);
    expect(dry.code).toBe(0);
    const none = await cli(['get', 'companies', '-o', 'json']);
    expect(JSON.parse(none.stdout).some((c: { name: string }) => c.name === 'CLI Acme')).toBe(
      false,
    );
    const applied = await cli(['apply', '-f', manifest]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const json = await cli(['get', 'companies', '-o', 'json']);
    expect(json.code).toBe(0);
    const companies = JSON.parse(json.stdout);
    expect(companies.some((c: { name: string }) => c.name === 'CLI Acme')).toBe(true);
    const orgs = await cli(['get', 'organizations', '-o', 'yaml']);
    expect(orgs.stdout).toContain('slug: platform');
    const table = await cli(['get', 'companies']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME/);
    expect(table.stdout).toContain('CLI Acme');
    expect(applied.stdout).toContain('company/CLI Acme created');
    expect(applied.stdout).toContain('organization/platform created');
    const again = await cli(['apply', '-f', manifest]);
    expect(again.stdout).toContain('company/CLI Acme unchanged');

    const deleted = await cli(['delete', '-f', manifest]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('organization/platform deleted');
    expect(deleted.stdout).toContain('company/CLI Acme deleted');
    const gone = await cli(['get', 'companies', '-o', 'json']);
    expect(JSON.parse(gone.stdout).some((c: { name: string }) => c.name === 'CLI Acme')).toBe(
      false,
    );
  });

  test('token create / list / revoke', async () => {
    const created = await cli(['token', 'create', '--name', 'ci', '--scopes', 'read']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toStartWith('kgm_');
    expect((await call(live.t, 'GET', '/api/public/v1/auth/me', { bearer: token })).status).toBe(
      200,
    );
    const list = await cli(['token', 'list', '-o', 'json']);
    const found = JSON.parse(list.stdout).find((t: { name: string }) => t.name === 'ci');
    expect(found.scopes).toEqual(['read']);
    expect(list.stdout).not.toContain(token);
    const revoked = await cli(['token', 'revoke', found.id]);
    expect(revoked.code).toBe(0);
    expect((await call(live.t, 'GET', '/api/public/v1/auth/me', { bearer: token })).status).toBe(
      401,
    );
  });

  test('logout revokes on the server and removes auth.json', async () => {
    const stored = JSON.parse(readFileSync(authFile(), 'utf8'));
    const res = await cli(['logout']);
    expect(res.code).toBe(0);
    expect(() => statSync(authFile())).toThrow();
    const me = await call(live.t, 'GET', '/api/public/v1/auth/me', { bearer: stored.token });
    expect(me.status).toBe(401);
    const whoami = await cli(['whoami', '--api-url', live.base]);
    expect(whoami.code).toBe(3);
    expect(whoami.stderr).toContain('kubegram login');
  });

  test('login --password and --token', async () => {
    const res = await cli(['login', '--password', '--email', user.email, '--api-url', live.base], {
      stdin: `${user.password}\n`,
    });
    expect(res.code).toBe(0);
    const stored = JSON.parse(readFileSync(authFile(), 'utf8'));
    expect(stored.type).toBe('pat');
    expect(stored.token).toStartWith('kgm_');
    const wrong = await cli(
      ['login', '--password', '--email', user.email, '--api-url', live.base],
      {
        stdin: 'not-the-password\n',
      },
    );
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('Invalid email or password');
    const bad = await cli(['login', '--token', `kgm_${'x'.repeat(38)}`, '--api-url', live.base]);
    expect(bad.code).toBe(3);
    const good = await cli(['login', '--token', stored.token, '--api-url', live.base]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(user.email);
  });

  test('login --password with two-factor authentication: asks for the code at the prompt', async () => {
    const mfaUser = await createUser(live.t, { role: 'team_member' });
    const { app } = await enableMfa(live.t, mfaUser);
    const args = ['login', '--password', '--email', mfaUser.email, '--api-url', live.base];
    const prompted = await cli(args, { stdin: `${mfaUser.password}\n${app.generate()}\n` });
    expect(prompted.code).toBe(0);
    expect(prompted.stderr).toContain('Two-factor code');
    expect(prompted.stdout).toContain(`Logged in as ${mfaUser.email}`);
    const flagged = await cli([...args, '--mfa-code', '999999'], {
      stdin: `${mfaUser.password}\n`,
    });
    expect(flagged.code).toBe(3);
  });

  test('clear errors and exit codes: unreachable server, bad usage, bad input', async () => {
    const port = await freePort();
    const down = await cli(['health', '--api-url', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('Cannot reach the Kubegram server');
    const up = await cli(['health', '--api-url', live.base]);
    expect(up.code).toBe(0);
    const usage = await cli(['get', 'widgets']);
    expect(usage.code).toBe(2);
    const missing = await cli(['apply', '-f', join(home, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    const broken = join(home, 'broken.yaml');
    writeFileSync(broken, 'kind: Spaceship\nmetadata: {name: x}\n');
    const invalid = await cli(['apply', '-f', broken]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('error:');
    const env = await cli(['health'], { env: { KUBEGRAM_API_URL: live.base } });
    expect(env.code).toBe(0);
  });
});
