import type { ClientOptions } from '../client';
import { EXIT } from '../client/errors';
import { type Columns, printList } from './output';
import { type Command, type Context, OUTPUT_FLAG, required } from './spec';

/**
 * A kind of object the CLI manages, kubectl-style: its get / describe / create / delete verbs
 * appear both as `kubegram <verb> <resource>` and as `kubegram <resource> <verb>`, from the
 * same definition, plus verbs only it has (`jobs logs`).
 */
export type Verb = Omit<Command, 'name' | 'children'> & {
  /** Its name under the resource, when not the verb's (`members invite`). */
  name?: string;
};

export interface Resource {
  /** Plural, as in `kubegram get jobs`. */
  name: string;
  aliases: readonly string[];
  summary: string;
  get?: Verb;
  describe?: Verb;
  create?: Verb;
  delete?: Verb;
  more?: readonly Command[];
}

export type VerbName = 'get' | 'describe' | 'create' | 'delete';
const VERBS: readonly VerbName[] = ['get', 'describe', 'create', 'delete'];
/** Words that also name a verb under a resource (`jobs list`). */
const VERB_ALIASES: Partial<Record<VerbName, readonly string[]>> = { get: ['list'] };

/** `kubegram jobs …`: the resource's verbs, then its own commands. */
export function resourceGroup(resource: Resource): Command {
  const children: Command[] = [];
  for (const verb of VERBS) {
    const spec = resource[verb];
    if (!spec) continue;
    const { name, aliases, ...rest } = spec;
    children.push({
      ...rest,
      name: name ?? verb,
      aliases: [...(name ? [verb] : []), ...(VERB_ALIASES[verb] ?? []), ...(aliases ?? [])],
    });
  }
  return {
    name: resource.name,
    aliases: resource.aliases,
    summary: resource.summary,
    children: [...children, ...(resource.more ?? [])],
  };
}

/** `kubegram get …`: one child per resource that has the verb, named like the resource. */
export function verbCommand(
  verb: VerbName,
  summary: string,
  resources: readonly Resource[],
  own: Partial<Command> = {},
): Command {
  const children: Command[] = [];
  for (const resource of resources) {
    const spec = resource[verb];
    if (!spec) continue;
    const { name: _name, aliases: _aliases, ...rest } = spec;
    children.push({ ...rest, name: resource.name, aliases: resource.aliases });
  }
  return { ...own, name: verb, summary, children };
}

type Row = Record<string, unknown>;

/** A `get` that lists rows in the `-o` format. */
export function listVerb(
  summary: string,
  columns: Columns,
  list: (ctx: Context) => Promise<readonly object[]>,
  more: Pick<Verb, 'flags' | 'examples'> = {},
): Verb {
  return {
    summary,
    flags: [...(more.flags ?? []), OUTPUT_FLAG],
    examples: more.examples,
    async run(ctx) {
      printList(ctx, (await list(ctx)) as Row[], columns);
      return EXIT.ok;
    },
  };
}

/** A `delete` named `revoke`: one id, one call, `kind/id revoked`. */
export function revokeVerb(
  kind: string,
  summary: string,
  revoke: (client: ClientOptions, id: string) => Promise<unknown>,
): Verb {
  return {
    name: 'revoke',
    summary,
    args: [{ name: `${kind} id` }],
    async run(ctx) {
      const id = required(ctx, 0, `${kind} id`);
      await revoke(ctx.client, id);
      ctx.io.out(`${kind}/${id} revoked`);
      return EXIT.ok;
    },
  };
}
