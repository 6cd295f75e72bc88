import {
  checkBackendHealth,
  completeDeviceLogin,
  getCurrentUser,
  loadAuth,
  loginApi,
  loginWithToken,
  logoutApi,
  startDeviceLogin,
} from '../../client';
import { ClientError, EXIT } from '../../client/errors';
import type { Command, Context } from '../spec';
import { usageError } from '../spec';

/** Email + password (+ two-factor code when the server asks); shared with the mfa commands. */
export async function promptCredentials(ctx: Context) {
  const email = ctx.flags.get('email') ?? (await ctx.io.readLine('Email: '));
  const password = await ctx.io.readLine('Password: ');
  if (!email || !password) throw usageError('Email and password are required');
  return { email: email.trim(), password };
}

/** Runs `attempt` without a code, and once more with one when the server answers MFA_REQUIRED. */
export async function withSecondFactor<T>(
  ctx: Context,
  attempt: (code: string | undefined) => Promise<T>,
  prompt = 'Two-factor code: ',
): Promise<T> {
  return attempt(ctx.flags.get('mfa-code')).catch(async (err: unknown) => {
    if (!(err instanceof ClientError) || err.code !== 'MFA_REQUIRED') throw err;
    const code = await ctx.io.readLine(prompt);
    if (!code) throw usageError('A two-factor code is required');
    return attempt(code.trim());
  });
}

async function login(ctx: Context) {
  const { client, io, flags } = ctx;
  const token = flags.get('token');
  if (token) {
    const user = await loginWithToken(client, token);
    io.out(`Logged in as ${user.email} (personal access token)`);
    return EXIT.ok;
  }
  if (flags.has('password')) {
    const { email, password } = await promptCredentials(ctx);
    const user = await withSecondFactor(ctx, (code) => loginApi(client, email, password, code));
    io.out(`Logged in as ${user.email}`);
    return EXIT.ok;
  }
  const started = await startDeviceLogin(client);
  io.out(`To sign in, open ${started.verification_uri} and enter the code ${started.user_code}`);
  io.out(`(or open ${started.verification_uri_complete})`);
  io.out('Waiting for approval…');
  const user = await completeDeviceLogin(client, started);
  io.out(`Logged in as ${user.email}`);
  return EXIT.ok;
}

async function logout({ client, io }: Context) {
  if (!loadAuth(client.authFile)) {
    io.out('Not logged in.');
    return EXIT.ok;
  }
  try {
    await logoutApi(client);
    io.out('Logged out (credential revoked on the server).');
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ClientError && err.exitCode === EXIT.unauthenticated) {
      io.out('Logged out (the credential was already invalid).');
      return EXIT.ok;
    }
    io.err('Removed the local credential, but the server could not revoke it:');
    throw err;
  }
}

async function whoami({ client, io }: Context) {
  const user = await getCurrentUser(client);
  const stored = loadAuth(client.authFile);
  const kind = stored?.type === 'pat' ? 'personal access token' : 'device login';
  const ends = stored?.renewal
    ? `, valid until ${new Date(stored.renewal.expiresAt).toISOString()} (renewed automatically)`
    : '';
  io.out(`${user.email} (${user.name}, role ${user.role}) via ${kind} at ${client.apiUrl}${ends}`);
  return EXIT.ok;
}

async function health({ client, io }: Context) {
  const result = await checkBackendHealth(client);
  io.out(`${client.apiUrl}: ${String(result.body.status ?? result.status)}`);
  return result.ok ? EXIT.ok : EXIT.error;
}

export const sessionCommands: Command[] = [
  {
    name: 'login',
    summary: 'sign in: in the browser (device code, default), with a password, or with a token',
    flags: [
      { name: 'password', description: 'sign in with email + password (creates a token)' },
      { name: 'email', value: 'EMAIL', description: 'the email for --password (else asked)' },
      {
        name: 'mfa-code',
        value: 'CODE',
        description: 'two-factor code for --password (else asked when needed)',
      },
      { name: 'token', value: 'TOKEN', description: 'store an existing personal access token' },
    ],
    examples: [
      'kubegram login --api-url https://kubegram.example.com',
      'kubegram login --password --email me@example.com',
      'kubegram login --token kgm_…',
    ],
    run: login,
  },
  {
    name: 'logout',
    summary: 'revoke the stored credential on the server and forget it',
    run: logout,
  },
  { name: 'whoami', summary: 'show the signed-in user', run: whoami },
  { name: 'health', summary: 'is the server up and ready?', run: health },
];
