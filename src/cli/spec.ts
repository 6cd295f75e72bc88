import type { ClientOptions } from '../client';
import { ClientError, EXIT } from '../client/errors';

/**
 * The command table: every command, its arguments and flags, in one tree. Parsing, `--help`
 * and shell completion are all generated from it, so they cannot disagree.
 */

export interface FlagSpec {
  /** Long name, used as `--name`. */
  name: string;
  /** One letter, used as `-x`. */
  short?: string;
  /** Placeholder when the flag takes a value (`FILE`, `ID`…); absent for a switch. */
  value?: string;
  /** The values a shell may complete. */
  values?: readonly string[];
  /** Complete a path: any file, or directories only. */
  complete?: 'file' | 'dir';
  description: string;
}

export interface ArgSpec {
  name: string;
  optional?: boolean;
  /** The values a shell may complete. */
  values?: readonly string[];
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Reads one line from standard input (prompts). */
  readLine(prompt: string): Promise<string>;
}

export interface Flags {
  /** The value of a valued flag, by long name. */
  get(name: string): string | undefined;
  /** Whether a switch (or valued flag) was given. */
  has(name: string): boolean;
}

export interface Context {
  /** The positional arguments after the command's own words. */
  args: string[];
  flags: Flags;
  client: ClientOptions;
  io: Io;
  /** The words that named the command (`jobs logs`), for messages. */
  path: string[];
}

export interface Command {
  name: string;
  aliases?: readonly string[];
  summary: string;
  args?: readonly ArgSpec[];
  flags?: readonly FlagSpec[];
  examples?: readonly string[];
  children?: readonly Command[];
  /** A command with children may also run on its own (`delete -f FILE`). */
  run?: (ctx: Context) => Promise<number>;
}

/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'api-url',
    value: 'URL',
    description:
      'server (else KUBEGRAM_API_URL, else the stored login, else http://localhost:8090)',
  },
  { name: 'help', short: 'h', description: 'help for the command' },
];

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const OUTPUT_FLAG: FlagSpec = {
  name: 'output',
  short: 'o',
  value: 'FORMAT',
  values: OUTPUT_FORMATS,
  description: 'table (default), wide (more columns), json or yaml',
};

export function usageError(message: string): ClientError {
  return new ClientError(message, EXIT.usage);
}

/** The positional argument at `index`, or a usage error naming it. */
export function required(ctx: Context, index: number, name: string): string {
  const value = ctx.args[index];
  if (value === undefined || value === '') {
    throw usageError(`\`kubegram ${ctx.path.join(' ')}\` needs the ${name}`);
  }
  return value;
}

/** A valued flag that must be there. */
export function requiredFlag(ctx: Context, name: string, what: string): string {
  const value = ctx.flags.get(name);
  if (!value) throw usageError(`\`kubegram ${ctx.path.join(' ')}\` needs --${name} <${what}>`);
  return value;
}

export const namesOf = (command: Command) => [command.name, ...(command.aliases ?? [])];
