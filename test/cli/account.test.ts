import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { personalAccessTokens } from '../../src/db/schema';
import { sha256Hex } from '../../src/lib/tokens';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { form, type LiveApp, startLiveApp } from '../tokens/helpers';
import { type CliHome, cliHome, deviceLoginViaCli, readToEnd, readUntil } from './helpers';

/** Logins, their expiry and renewal, sessions, and the second factor, through the real CLI. */

const DAY = 86_400_000;
const ME = '/api/public/v1/auth/me';
let live: LiveApp;
let user: SeededUser;
const homes: CliHome[] = [];

beforeAll(async () => {
  live = await startLiveApp();
  await createUser(live.t, { role: 'admin' });
  user = await createUser(live.t, { role: 'manager' });
});
afterAll(async () => {
  for (const home of homes) home.remove();
  await live.close();
});

function newHome() {
  const home = cliHome();
  homes.push(home);
  return home;
}

async function passwordLogin(cli: CliHome, who: SeededUser, extra: string[] = []) {
  const res = await cli.run(
    ['login', '--password', '--email', who.email, '--api-url', live.base, ...extra],
    {
      stdin: `${who.password}\n`,
    },
  );
  expect(res.stderr).not.toContain('error');
  expect(res.code).toBe(0);
  return cli.readAuth();
}

const meStatus = async (bearer: string) => (await call(live.t, 'GET', ME, { bearer })).status;

describe('login --token', () => {
  test('a malformed token is "not a Kubegram token", before any request', async () => {
    const cli = newHome();
    for (const token of ['hello', `kgm_${'x'.repeat(38)}`, 'eyJhbGciOiJFUzI1NiJ9.e30.sig']) {
      const res = await cli.run(['login', '--token', token, '--api-url', live.base]);
      expect(res.code).toBe(3);
      expect(res.stderr).toContain('not a Kubegram token');
      expect(res.stderr).not.toContain('expired or revoked');
      expect(existsSync(cli.authFile)).toBe(false);
    }
    // A well-formed one that the server does not know is what "expired or revoked" is for.
    const unknown = `kgm_${'0'.repeat(32)}`;
    const row = await call(live.t, 'GET', ME, { bearer: unknown });
    expect(row.status).toBe(401);
  });
});

describe('login --password: a token that expires, renewed before it does', () => {
  test('the stored token lasts CLI_TOKEN_TTL (90 days) and carries the role’s scopes', async () => {
    const cli = newHome();
    const stored = await passwordLogin(cli, user);
    expect(stored.type).toBe('pat');
    expect(Math.abs(stored.renewal.expiresAt - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
    const [row] = await live.t.database.db
      .select()
      .from(personalAccessTokens)
      .where(eq(personalAccessTokens.tokenHash, sha256Hex(stored.token)));
    expect(row!.expiresAt!.getTime()).toBe(stored.renewal.expiresAt);
    expect(row!.scopes).toEqual(['read', 'write']);
    // Far from its end nothing is renewed.
    expect((await cli.run(['whoami'])).code).toBe(0);
    expect(cli.readAuth().token).toBe(stored.token);
  });

  test('within its last week the next command swaps it for a fresh one; the old one is revoked', async () => {
    const cli = newHome();
    const stored = await passwordLogin(cli, user);
    const now = Date.now();
    cli.writeAuth({ ...stored, renewal: { issuedAt: now - 89 * DAY, expiresAt: now + DAY } });
    const res = await cli.run(['whoami']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(user.email);
    const after = cli.readAuth();
    expect(after.token).not.toBe(stored.token);
    expect(after.token).toStartWith('kgm_');
    expect(Math.abs(after.renewal.expiresAt - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
    expect(await meStatus(stored.token)).toBe(401);
    expect(await meStatus(after.token)).toBe(200);
  });

  test('CLI_TOKEN_TTL on the server sets the lifetime the CLI stores', async () => {
    const short = await startLiveApp({ env: { CLI_TOKEN_TTL: '12h' } });
    try {
      const who = await createUser(short.t, { role: 'team_member' });
      const cli = newHome();
      const res = await cli.run(
        ['login', '--password', '--email', who.email, '--api-url', short.base],
        {
          stdin: `${who.password}\n`,
        },
      );
      expect(res.code).toBe(0);
      const stored = cli.readAuth();
      expect(Math.abs(stored.renewal.expiresAt - (Date.now() + 12 * 3600_000))).toBeLessThan(
        60_000,
      );
    } finally {
      await short.close();
    }
  });
});

describe('device login', () => {
  test('listed in `sessions list` as a CLI sign-in; revoked from elsewhere, then refused', async () => {
    const device = newHome();
    await deviceLoginViaCli(device, live, user);
    const stored = device.readAuth();
    expect(stored.type).toBe('oauth');
    expect(Math.abs(stored.renewal.expiresAt - (Date.now() + 90 * DAY))).toBeLessThan(60_000);

    const listed = await device.run(['sessions', 'list', '-o', 'json']);
    expect(listed.code).toBe(0);
    const mine = JSON.parse(listed.stdout).find((s: { current: boolean }) => s.current);
    expect(mine).toMatchObject({ kind: 'cli', client: 'Kubegram CLI' });
    const table = await device.run(['get', 'sessions']);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+KIND\s+CLIENT/);
    expect(table.stdout).toContain('Kubegram CLI');
    const wide = await device.run(['sessions', 'list', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toContain('USER AGENT');

    const laptop = newHome();
    await passwordLogin(laptop, user);
    const revoked = await laptop.run(['sessions', 'revoke', mine.id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`session/${mine.id} revoked`);
    expect(await meStatus(stored.token)).toBe(401);

    const refused = await device.run(['whoami']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('kubegram login');
    const again = await laptop.run(['sessions', 'revoke', mine.id]);
    expect(again.code).toBe(5);
  });

  test('near the end of the login, the CLI starts a new one and the old family ends', async () => {
    const device = newHome();
    await deviceLoginViaCli(device, live, user);
    const stored = device.readAuth();
    const now = Date.now();
    device.writeAuth({
      ...stored,
      renewal: { issuedAt: now - 89 * DAY, expiresAt: now + 3600_000 },
    });
    const res = await device.run(['whoami']);
    expect(res.code).toBe(0);
    const after = device.readAuth();
    expect(after.type).toBe('oauth');
    expect(after.refreshToken).not.toBe(stored.refreshToken);
    expect(after.renewal.expiresAt).toBeGreaterThan(Date.now() + 89 * DAY);
    const old = await form(live.t, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: stored.refreshToken,
    });
    expect(old.body.error).toBe('invalid_grant');
    expect(await meStatus(stored.token)).toBe(401);
    expect((await device.run(['whoami'])).code).toBe(0);
  });
});

describe('mfa', () => {
  test('enable with the QR code in the terminal, new recovery codes, disable', async () => {
    const who = await createUser(live.t, { role: 'team_member' });
    const cli = newHome();
    await passwordLogin(cli, who);
    expect((await cli.run(['mfa', 'status'])).stdout).toContain('Two-factor authentication: off');

    const enabling = cli.spawn(['mfa', 'enable'], { stdinPipe: true });
    enabling.stdin.write(`${who.password}\n`);
    await enabling.stdin.flush();
    const seen = await readUntil(enabling.stdout, /Or enter the secret by hand: ([A-Z2-7]+)/);
    const secret = /Or enter the secret by hand: ([A-Z2-7]+)/.exec(seen.text)![1]!;
    // The QR code: half-block characters, one line per two rows of modules.
    const qr = seen.text.split('\n').filter((l) => /^[█▀▄ ]{20,}$/.test(l));
    expect(qr.length).toBeGreaterThan(10);
    const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    enabling.stdin.write(`${app.generate()}\n`);
    await enabling.stdin.flush();
    enabling.stdin.end();
    const rest = await readToEnd(enabling.stdout, seen);
    expect(await enabling.exited).toBe(0);
    expect(rest).toContain('Two-factor authentication is on.');
    const codes = rest.match(/[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/g) ?? [];
    expect(codes).toHaveLength(10);
    expect((await cli.run(['mfa', 'status'])).stdout).toContain('Two-factor authentication: on');
    // The short session opened for the change was ended again.
    const sessions = JSON.parse((await cli.run(['sessions', 'list', '-o', 'json'])).stdout);
    expect(sessions.filter((s: { provider: string }) => s.provider === 'password')).toHaveLength(1);

    const renewed = await cli.run(
      ['mfa', 'recovery-codes', '--mfa-code', codes[0]!, '--code', codes[1]!],
      {
        stdin: `${who.password}\n`,
      },
    );
    expect(renewed.stderr).not.toContain('error');
    expect(renewed.code).toBe(0);
    const fresh = renewed.stdout.match(/[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/g) ?? [];
    expect(fresh).toHaveLength(10);

    // Prompted: the sign-in code first, then a second one for the change.
    const disabled = await cli.run(['mfa', 'disable'], {
      stdin: `${who.password}\n${fresh[0]}\n${fresh[1]}\n`,
    });
    expect(disabled.stderr).toContain('Two-factor code');
    expect(disabled.stderr).toContain('Another code');
    expect(disabled.code).toBe(0);
    expect((await cli.run(['mfa', 'status'])).stdout).toContain('Two-factor authentication: off');
  }, 60_000);

  test('a wrong password is exit 3 and changes nothing', async () => {
    const cli = newHome();
    await passwordLogin(cli, user);
    const res = await cli.run(['mfa', 'enable'], { stdin: 'not the password\n' });
    expect(res.code).toBe(3);
    expect((await cli.run(['mfa', 'status'])).stdout).toContain('off');
  });
});
