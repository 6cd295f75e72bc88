import { type Command, type FlagSpec, type Flags, GLOBAL_FLAGS, namesOf, usageError } from './spec';

export interface Parsed {
  /** The deepest command the words named (the root when none). */
  command: Command;
  /** The words that named it, canonical names (`jobs logs` for `job logs`). */
  path: string[];
  args: string[];
  flags: Flags;
}

/** The flags a command accepts: its own and the global ones. */
export function flagsOf(command: Command): FlagSpec[] {
  return [...(command.flags ?? []), ...GLOBAL_FLAGS];
}

function findFlag(specs: FlagSpec[], word: string): FlagSpec | undefined {
  if (word.startsWith('--')) return specs.find((f) => f.name === word.slice(2));
  return specs.find((f) => f.short === word.slice(1));
}

function childNamed(command: Command, word: string): Command | undefined {
  return command.children?.find((c) => namesOf(c).includes(word));
}

/**
 * Walks the command tree with the words of argv: a word naming a child of the current command
 * (before any positional argument) descends into it; `--flag value`, `--flag=value`, `-f value`
 * are read with the flag table of the command reached so far, so `-f` can mean `--file` for
 * `apply` and `--follow` for `jobs logs`. `--` ends the flags. Unknown flags are usage errors.
 */
export function parseArgs(root: Command, argv: string[]): Parsed {
  let command = root;
  const path: string[] = [];
  const args: string[] = [];
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    const match = /^(--?[a-z][a-z0-9-]*)(?:=(.*))?$/i.exec(word);
    if (!match) {
      const child = args.length === 0 ? childNamed(command, word) : undefined;
      if (child) {
        command = child;
        path.push(child.name);
      } else args.push(word);
      continue;
    }
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    const spec = findFlag(flagsOf(command), name);
    if (!spec) {
      const where = path.length > 0 ? ` for \`kubegram ${path.join(' ')}\`` : '';
      throw usageError(`Unknown flag ${name}${where}. Run \`kubegram ${path.join(' ')} --help\`.`);
    }
    if (!spec.value) {
      if (inline !== undefined) throw usageError(`--${spec.name} takes no value`);
      values.set(spec.name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw usageError(`--${spec.name} needs a value (${spec.value})`);
    values.set(spec.name, value);
  }
  const flags: Flags = {
    get: (name) => {
      const value = values.get(name);
      return typeof value === 'string' ? value : undefined;
    },
    has: (name) => values.has(name),
  };
  return { command, path, args, flags };
}
