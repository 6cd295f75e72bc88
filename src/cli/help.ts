import { EXIT_CODE_HELP } from '../client/errors';
import { flagsOf } from './args';
import type { ArgSpec, Command, FlagSpec } from './spec';

/** `--help` text, rendered from the command table. */

const columns = (rows: Array<[string, string]>, indent = '  ') => {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}   ${right}`).join('\n');
};

const argWord = (arg: ArgSpec) => {
  const name = arg.values ? arg.values.join('|') : arg.name.replace(/ /g, '-');
  return arg.optional ? `[${name}]` : `<${name}>`;
};

const flagWord = (flag: FlagSpec) =>
  `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.value ? ` ${flag.value}` : ''}`;

function childRows(command: Command): Array<[string, string]> {
  return (command.children ?? []).map((child) => {
    const aliases = child.aliases?.length ? ` (${child.aliases.join(', ')})` : '';
    return [`${child.name}${aliases}`, child.summary];
  });
}

export function helpFor(root: Command, command: Command, path: string[]): string {
  const words = ['kubegram', ...path];
  const parts: string[] = [];
  if (command === root) {
    parts.push('kubegram — command-line client of Kubegram Server', '');
    parts.push('Usage: kubegram <command> [arguments] [flags]', '', 'Commands:');
    parts.push(columns(childRows(root)));
    parts.push(
      '',
      'kubectl style: `kubegram get jobs` is `kubegram jobs get` (also `jobs list`);',
      '`describe`, `create` and `delete` work the same way. -o table|wide|json|yaml.',
    );
  } else {
    const args = (command.args ?? []).map(argWord).join(' ');
    const sub = command.children?.length ? (command.run ? ' [command]' : ' <command>') : '';
    parts.push(`${words.join(' ')}${sub}${args ? ` ${args}` : ''} [flags]`, '', command.summary);
    if (command.children?.length) parts.push('', 'Commands:', columns(childRows(command)));
  }
  const flags = flagsOf(command);
  parts.push('', 'Flags:', columns(flags.map((f) => [flagWord(f), f.description])));
  if (command.examples?.length) {
    parts.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  }
  if (command === root) {
    parts.push('', 'Exit codes:', ...EXIT_CODE_HELP.map((line) => `  ${line}`));
    parts.push(
      '',
      'Shell completion: `source <(kubegram completion bash)` (or zsh).',
      'Run `kubegram <command> --help` for the flags of a command.',
    );
  } else if (command.children?.length) {
    parts.push('', `Run \`${words.join(' ')} <command> --help\` for more.`);
  }
  return parts.join('\n');
}
