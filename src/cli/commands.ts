import { readFileSync } from 'node:fs';
import {
  applyManifests,
  type ClientOptions,
  checkBackendHealth,
  completeDeviceLogin,
  createToken,
  deleteManifests,
  getCurrentUser,
  listResources,
  listTokens,
  loadAuth,
  loginApi,
  loginWithToken,
  logoutApi,
  RESOURCES,
  type ResourceKind,
  revokeToken,
  startDeviceLogin,
} from '../client';
import { ClientError, EXIT } from '../client/errors';
import { flag, hasSwitch, type ParsedArgs } from './args';
import { outputFormat, render } from './output';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Reads one line from standard input (prompts). */
  readLine(prompt: string): Promise<string>;
}

const COLUMNS: Record<ResourceKind, string[]> = {
  companies: ['id', 'name', 'tokens', 'createdAt'],
  organizations: ['id', 'slug', 'name', 'companyId'],
  teams: ['id', 'slug', 'name', 'organizationId'],
  projects: ['id', 'slug', 'name', 'teamId', 'visibility'],
};

export const HELP = `kubegram — command-line client of Kubegram Server

Usage: kubegram <command> [options]

  login                      sign in through the browser (device code, default)
  login --password [--email] [--mfa-code]
                             sign in with email + password (creates a personal access token);
                             asks for the two-factor code when the account has one
  login --token <kgm_…>      store an existing personal access token
  logout                     revoke the stored credential on the server and forget it
  whoami                     show the signed-in user
  token list                 your personal access tokens
  token create --name <n> [--scopes read,write] [--expires-in-days N]
  token revoke <id>
  get companies|organizations|teams|projects [-o table|json|yaml]
  apply -f <file.yaml> [--dry-run]
  delete -f <file.yaml>
  health                     is the server up and ready?

Options: --api-url <url> (else KUBEGRAM_API_URL, else the stored login, else http://localhost:8090)
Exit codes: 0 ok, 1 error, 2 usage, 3 not logged in / expired, 4 server unreachable.`;

function readManifest(args: ParsedArgs): string {
  const file = flag(args, 'f', 'file');
  if (!file) throw new ClientError('Give the manifest file with -f <file.yaml>', EXIT.usage);
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClientError(`Cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
  }
}

export async function run(args: ParsedArgs, options: ClientOptions, io: Io): Promise<number> {
  const [command, sub, ...rest] = args.positionals;
  switch (command) {
    case undefined:
    case 'help':
      io.out(HELP);
      return command ? EXIT.ok : EXIT.usage;

    case 'login': {
      const token = flag(args, 'token');
      if (token) {
        const user = await loginWithToken(options, token);
        io.out(`Logged in as ${user.email} (personal access token)`);
        return EXIT.ok;
      }
      if (hasSwitch(args, 'password')) {
        const email = flag(args, 'email') ?? (await io.readLine('Email: '));
        const password = await io.readLine('Password: ');
        if (!email || !password)
          throw new ClientError('Email and password are required', EXIT.usage);
        const user = await loginApi(options, email.trim(), password, flag(args, 'mfa-code')).catch(
          async (err: unknown) => {
            if (!(err instanceof ClientError) || err.code !== 'MFA_REQUIRED') throw err;
            const code = await io.readLine('Two-factor code: ');
            if (!code) throw new ClientError('A two-factor code is required', EXIT.usage);
            return loginApi(options, email.trim(), password, code.trim());
          },
        );
        io.out(`Logged in as ${user.email}`);
        return EXIT.ok;
      }
      const started = await startDeviceLogin(options);
      io.out(
        `To sign in, open ${started.verification_uri} and enter the code ${started.user_code}`,
      );
      io.out(`(or open ${started.verification_uri_complete})`);
      io.out('Waiting for approval…');
      const user = await completeDeviceLogin(options, started);
      io.out(`Logged in as ${user.email}`);
      return EXIT.ok;
    }

    case 'logout': {
      if (!loadAuth(options.authFile)) {
        io.out('Not logged in.');
        return EXIT.ok;
      }
      try {
        await logoutApi(options);
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

    case 'whoami': {
      const user = await getCurrentUser(options);
      const kind =
        loadAuth(options.authFile)?.type === 'pat' ? 'personal access token' : 'device login';
      io.out(`${user.email} (${user.name}, role ${user.role}) via ${kind} at ${options.apiUrl}`);
      return EXIT.ok;
    }

    case 'token': {
      if (sub === 'list') {
        const tokens = await listTokens(options);
        const format = outputFormat(flag(args, 'o', 'output'));
        io.out(
          render(
            tokens as never,
            ['id', 'name', 'prefix', 'scopes', 'lastUsedAt', 'expiresAt'],
            format,
          ),
        );
        return EXIT.ok;
      }
      if (sub === 'create') {
        const name = flag(args, 'name') ?? rest[0];
        if (!name) throw new ClientError('token create needs --name <name>', EXIT.usage);
        const scopes = flag(args, 'scopes')
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const days = flag(args, 'expires-in-days');
        if (days !== undefined && !/^[1-9][0-9]*$/.test(days)) {
          throw new ClientError('--expires-in-days must be a positive whole number', EXIT.usage);
        }
        const created = await createToken(options, {
          name,
          scopes,
          expiresInDays: days ? Number(days) : undefined,
        });
        io.out(created.token);
        io.err(
          `Created token ${created.id} (${created.scopes.join(', ')}). It is shown only once.`,
        );
        return EXIT.ok;
      }
      if (sub === 'revoke') {
        const id = rest[0];
        if (!id) throw new ClientError('token revoke needs the token id', EXIT.usage);
        await revokeToken(options, id);
        io.out(`Revoked ${id}`);
        return EXIT.ok;
      }
      throw new ClientError('Usage: kubegram token list|create|revoke', EXIT.usage);
    }

    case 'get': {
      const kind = sub as ResourceKind;
      if (!RESOURCES.includes(kind)) {
        throw new ClientError(
          `Usage: kubegram get ${RESOURCES.join('|')} [-o table|json|yaml]`,
          EXIT.usage,
        );
      }
      const format = outputFormat(flag(args, 'o', 'output'));
      const rows = await listResources(options, kind);
      io.out(render(rows, COLUMNS[kind], format));
      return EXIT.ok;
    }

    case 'apply': {
      const dryRun = hasSwitch(args, 'dry-run');
      const result = await applyManifests(options, readManifest(args), dryRun);
      for (const r of result.results) {
        io.out(`${r.kind.toLowerCase()}/${r.name} ${r.action}${dryRun ? ' (dry run)' : ''}`);
      }
      return EXIT.ok;
    }

    case 'delete': {
      const outcomes = await deleteManifests(options, readManifest(args));
      for (const o of outcomes) io.out(`${o.kind.toLowerCase()}/${o.name} ${o.result}`);
      return EXIT.ok;
    }

    case 'health': {
      const health = await checkBackendHealth(options);
      io.out(`${options.apiUrl}: ${String(health.body.status ?? health.status)}`);
      return health.ok ? EXIT.ok : EXIT.error;
    }

    default:
      throw new ClientError(`Unknown command "${command}". Run \`kubegram help\`.`, EXIT.usage);
  }
}
