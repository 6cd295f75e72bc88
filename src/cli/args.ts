import { ClientError, EXIT } from '../client/errors';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Flags that take a value; everything else starting with -- is a switch. */
const VALUED = new Set([
  'api-url',
  'output',
  'o',
  'file',
  'f',
  'token',
  'email',
  'name',
  'scopes',
  'expires-in-days',
  'mfa-code',
]);

/** `--flag value`, `--flag=value`, `-o json`, `-f file`; `--` ends the flags. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const match = /^--?([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match) {
      positionals.push(arg);
      continue;
    }
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    if (inline !== undefined) flags.set(name, inline);
    else if (VALUED.has(name)) {
      const value = argv[i + 1];
      if (value === undefined) throw new ClientError(`--${name} needs a value`, EXIT.usage);
      flags.set(name, value);
      i++;
    } else flags.set(name, true);
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = args.flags.get(name);
    if (typeof value === 'string') return value;
  }
  return undefined;
}

export function hasSwitch(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}
