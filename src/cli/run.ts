import type { ClientOptions } from '../client';
import { EXIT } from '../client/errors';
import { parseArgs } from './args';
import { helpFor } from './help';
import { type Io, usageError } from './spec';
import { ROOT } from './table';

/**
 * Parses argv against the command table and runs what it names; `clientFor` turns the
 * `--api-url` flag (if any) into the client's options.
 */
export async function run(
  argv: string[],
  clientFor: (apiUrlFlag: string | undefined) => ClientOptions,
  io: Io,
): Promise<number> {
  const parsed = parseArgs(ROOT, argv);
  let { command, path } = parsed;
  if (path[0] === 'help') {
    // `kubegram help jobs logs`: the help of the command those words name.
    ({ command, path } = parseArgs(ROOT, parsed.args));
  }
  const help = parsed.path[0] === 'help' || parsed.flags.has('help');
  if (!help && !command.run && parsed.args.length > 0) {
    const words = ['kubegram', ...path, parsed.args[0]].join(' ');
    throw usageError(
      `Unknown command \`${words}\`. Run \`${['kubegram', ...path].join(' ')} --help\`.`,
    );
  }
  if (help || !command.run) {
    io.out(helpFor(ROOT, command, path));
    return help ? EXIT.ok : EXIT.usage;
  }
  const client = clientFor(parsed.flags.get('api-url'));
  return command.run({ args: parsed.args, flags: parsed.flags, client, io, path });
}
