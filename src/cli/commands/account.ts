import {
  beginTotp,
  type ClientOptions,
  confirmTotp,
  disableTotp,
  endPasswordSession,
  getCurrentUser,
  getUser,
  listSessions,
  loadAuth,
  regenerateRecoveryCodes,
  revokeSession,
  startPasswordSession,
} from '../../client';
import { ClientError, EXIT } from '../../client/errors';
import type { Columns } from '../output';
import { terminalQr } from '../qr';
import { listVerb, type Resource, revokeVerb } from '../resource';
import { type Command, type Context, usageError } from '../spec';
import { withSecondFactor } from './session';

/** Your sign-ins (sessions, device logins) and your second factor. */

const SESSION_COLUMNS: Columns = {
  table: ['id', 'kind', 'client', 'provider', 'lastSeenAt', 'expiresAt', 'current'],
  wide: ['createdAt', 'ip', 'userAgent'],
};

export const sessionsResource: Resource = {
  name: 'sessions',
  aliases: ['session'],
  summary: 'where you are signed in: browser sessions and CLI device logins',
  get: listVerb('list your sessions and device logins', SESSION_COLUMNS, (ctx) =>
    listSessions(ctx.client),
  ),
  delete: revokeVerb(
    'session',
    'sign out one session or device login (on every server at once)',
    revokeSession,
  ),
};

const MFA_FLAGS = [
  { name: 'email', value: 'EMAIL', description: 'your email (default: the signed-in user’s)' },
  { name: 'mfa-code', value: 'CODE', description: 'code to sign in with (else asked)' },
  { name: 'code', value: 'CODE', description: 'code for the change itself (else asked)' },
];

/**
 * The server lets only a signed-in session (never an API token) change the second factor, so
 * these commands ask for the password, open a short session for the one change and end it.
 */
async function inPasswordSession<T>(
  ctx: Context,
  change: (session: string) => Promise<T>,
): Promise<T> {
  const email =
    ctx.flags.get('email') ??
    loadAuth(ctx.client.authFile)?.user?.email ??
    (await ctx.io.readLine('Email: ')).trim();
  const password = await ctx.io.readLine('Password: ');
  if (!email || !password) throw usageError('Email and password are required');
  const session = await withSecondFactor(
    ctx,
    (code) => startPasswordSession(ctx.client, email, password, code),
    'Two-factor code (to confirm it is you): ',
  );
  try {
    return await change(session);
  } finally {
    await endPasswordSession(ctx.client, session);
  }
}

async function codeFor(ctx: Context, prompt: string) {
  const code = ctx.flags.get('code') ?? (await ctx.io.readLine(prompt)).trim();
  if (!code) throw usageError('A code is required');
  return code;
}

function printRecoveryCodes(ctx: Context, codes: string[]) {
  ctx.io.out(
    'Recovery codes (each works once; keep them somewhere safe, they are not shown again):',
  );
  for (const code of codes) ctx.io.out(`  ${code}`);
}

async function mfaStatusOf(client: ClientOptions) {
  const me = await getCurrentUser(client);
  return (await getUser(client, me.id)).mfaEnabled;
}

const NEXT_CODE = 'Another code (wait for the next one your app shows) or a recovery code: ';

export const mfaCommand: Command = {
  name: 'mfa',
  summary: 'two-factor authentication (authenticator app) for password sign-in',
  children: [
    {
      name: 'status',
      summary: 'is two-factor authentication on?',
      async run(ctx) {
        const on = await mfaStatusOf(ctx.client);
        ctx.io.out(`Two-factor authentication: ${on ? 'on' : 'off'}`);
        return EXIT.ok;
      },
    },
    {
      name: 'enable',
      summary: 'turn it on: scan the QR code drawn here, then type a code from the app',
      flags: MFA_FLAGS,
      async run(ctx) {
        if (await mfaStatusOf(ctx.client)) {
          throw new ClientError('Two-factor authentication is already on.');
        }
        const codes = await inPasswordSession(ctx, async (session) => {
          const { secret, otpauthUri } = await beginTotp(ctx.client, session);
          ctx.io.out('Scan this with your authenticator app:');
          ctx.io.out(terminalQr(otpauthUri));
          ctx.io.out(`Or enter the secret by hand: ${secret}`);
          ctx.io.out(`(${otpauthUri})`);
          return confirmTotp(ctx.client, session, await codeFor(ctx, 'Code from the app: '));
        });
        ctx.io.out('Two-factor authentication is on.');
        printRecoveryCodes(ctx, codes.recoveryCodes);
        return EXIT.ok;
      },
    },
    {
      name: 'disable',
      summary: 'turn it off (needs a current code or a recovery code)',
      flags: MFA_FLAGS,
      async run(ctx) {
        await inPasswordSession(ctx, async (session) =>
          disableTotp(ctx.client, session, await codeFor(ctx, NEXT_CODE)),
        );
        ctx.io.out('Two-factor authentication is off.');
        return EXIT.ok;
      },
    },
    {
      name: 'recovery-codes',
      summary: 'replace your recovery codes (the old ones stop working)',
      flags: MFA_FLAGS,
      async run(ctx) {
        const codes = await inPasswordSession(ctx, async (session) =>
          regenerateRecoveryCodes(ctx.client, session, await codeFor(ctx, NEXT_CODE)),
        );
        printRecoveryCodes(ctx, codes.recoveryCodes);
        return EXIT.ok;
      },
    },
  ],
};
