import { readFileSync } from 'node:fs';
import {
  applyManifests,
  createToken,
  deleteManifests,
  getResource,
  listResources,
  listTokens,
  RESOURCES,
  type ResourceKind,
  revokeToken,
} from '../../client';
import { ClientError, EXIT } from '../../client/errors';
import { type Columns, printDescription, printList, printOne } from '../output';
import { listVerb, type Resource, revokeVerb } from '../resource';
import { type Command, type Context, OUTPUT_FLAG, required, usageError } from '../spec';

/** Companies, organizations, teams, projects; personal access tokens; manifests. */

const COLUMNS: Record<ResourceKind, Columns> = {
  companies: { table: ['id', 'name', 'tokens', 'createdAt'], wide: ['role', 'updatedAt'] },
  organizations: { table: ['id', 'slug', 'name', 'companyId'], wide: ['createdAt'] },
  teams: { table: ['id', 'slug', 'name', 'organizationId'], wide: ['companyId', 'createdAt'] },
  projects: {
    table: ['id', 'slug', 'name', 'teamId', 'visibility'],
    wide: ['organizationId', 'companyId', 'createdBy', 'createdAt'],
  },
};
const SINGULAR: Record<ResourceKind, string[]> = {
  companies: ['company'],
  organizations: ['organization', 'org'],
  teams: ['team'],
  projects: ['project'],
};

function tenancyResource(kind: ResourceKind): Resource {
  const ref = kind === 'organizations' ? 'id or slug' : 'id';
  return {
    name: kind,
    aliases: SINGULAR[kind],
    summary: `${kind} you can see`,
    get: {
      summary: `list ${kind}, or show one`,
      args: [{ name: ref, optional: true }],
      flags: [OUTPUT_FLAG],
      examples: [`kubegram get ${kind}`, `kubegram get ${kind} 1 -o yaml`],
      async run(ctx) {
        const id = ctx.args[0];
        if (id) printOne(ctx, await getResource(ctx.client, kind, id), COLUMNS[kind]);
        else printList(ctx, await listResources(ctx.client, kind), COLUMNS[kind]);
        return EXIT.ok;
      },
    },
    describe: {
      summary: `every field of one of the ${kind}`,
      args: [{ name: ref }],
      flags: [OUTPUT_FLAG],
      examples: [`kubegram describe ${SINGULAR[kind][0]} 1`],
      async run(ctx) {
        printDescription(ctx, await getResource(ctx.client, kind, required(ctx, 0, ref)));
        return EXIT.ok;
      },
    },
  };
}

export const tenancyResources: Resource[] = RESOURCES.map(tenancyResource);

const TOKEN_COLUMNS: Columns = {
  table: ['id', 'name', 'prefix', 'scopes', 'lastUsedAt', 'expiresAt'],
  wide: ['createdAt'],
};

export const tokensResource: Resource = {
  name: 'tokens',
  aliases: ['token'],
  summary: 'your personal access tokens',
  get: listVerb('list your personal access tokens (never their secrets)', TOKEN_COLUMNS, (ctx) =>
    listTokens(ctx.client),
  ),
  create: {
    summary: 'create a personal access token; it is printed once, on stdout',
    args: [{ name: 'name', optional: true }],
    flags: [
      { name: 'name', value: 'NAME', description: 'what the token is for' },
      {
        name: 'scopes',
        value: 'SCOPES',
        values: ['read', 'read,write', 'read,write,admin'],
        description: 'comma-separated: read, write, admin (default: what your role may grant)',
      },
      { name: 'expires-in-days', value: 'N', description: 'expiry (default: never)' },
    ],
    examples: ['kubegram create token --name ci --scopes read --expires-in-days 30'],
    async run(ctx) {
      const name = ctx.flags.get('name') ?? ctx.args[0];
      if (!name) throw usageError('token create needs --name <name>');
      const scopes = ctx.flags
        .get('scopes')
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const days = ctx.flags.get('expires-in-days');
      if (days !== undefined && !/^[1-9][0-9]*$/.test(days)) {
        throw usageError('--expires-in-days must be a positive whole number');
      }
      const created = await createToken(ctx.client, {
        name,
        scopes,
        expiresInDays: days ? Number(days) : undefined,
      });
      ctx.io.out(created.token);
      ctx.io.err(
        `Created token ${created.id} (${created.scopes.join(', ')}). It is shown only once.`,
      );
      return EXIT.ok;
    },
  },
  delete: revokeVerb(
    'token',
    'revoke one of your tokens (every server stops accepting it within a second)',
    revokeToken,
  ),
};

const FILE_FLAG = {
  name: 'file',
  short: 'f',
  value: 'FILE',
  complete: 'file',
  description: 'the manifests (YAML or JSON; - for stdin)',
} as const;

function readManifest(ctx: Context): string {
  const file = ctx.flags.get('file');
  if (!file) throw usageError('Give the manifest file with -f <file.yaml>');
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClientError(`Cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
  }
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'create or update the objects of a manifest file, in one transaction',
  flags: [FILE_FLAG, { name: 'dry-run', description: 'report what would change, change nothing' }],
  examples: ['kubegram apply -f acme.yaml --dry-run', 'kubegram apply -f acme.yaml'],
  async run(ctx) {
    const dryRun = ctx.flags.has('dry-run');
    const result = await applyManifests(ctx.client, readManifest(ctx), dryRun);
    for (const r of result.results) {
      ctx.io.out(`${r.kind.toLowerCase()}/${r.name} ${r.action}${dryRun ? ' (dry run)' : ''}`);
    }
    return EXIT.ok;
  },
};

/** `delete -f FILE`: what `delete` does without a resource word. */
export const deleteManifestsFlags = [FILE_FLAG];
export async function deleteFromFile(ctx: Context) {
  if (ctx.args.length > 0) {
    throw usageError(`Unknown resource "${ctx.args[0]}". Run \`kubegram delete --help\`.`);
  }
  const outcomes = await deleteManifests(ctx.client, readManifest(ctx));
  for (const o of outcomes) ctx.io.out(`${o.kind.toLowerCase()}/${o.name} ${o.result}`);
  return EXIT.ok;
}
