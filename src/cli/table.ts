import { EXIT } from '../client/errors';
import { mfaCommand, sessionsResource } from './commands/account';
import { jobsResource } from './commands/jobs';
import { invitationsResource, membersResource, usersResource } from './commands/people';
import { sessionCommands } from './commands/session';
import {
  applyCommand,
  deleteFromFile,
  deleteManifestsFlags,
  tenancyResources,
  tokensResource,
} from './commands/tenancy';
import { bashCompletion, zshCompletion } from './completion';
import { resourceGroup, verbCommand } from './resource';
import { type Command, OUTPUT_FLAG, usageError } from './spec';

/** Every command of the CLI: what parsing, `--help` and completion are generated from. */

const RESOURCES = [
  ...tenancyResources,
  jobsResource,
  membersResource,
  invitationsResource,
  usersResource,
  sessionsResource,
  tokensResource,
];

const unknownResource = (verb: string) => async () => {
  const names = RESOURCES.filter((r) => r[verb as 'get']).map((r) => r.name);
  throw usageError(`Usage: kubegram ${verb} ${names.join('|')}`);
};

function completionCommand(root: () => Command): Command {
  return {
    name: 'completion',
    summary: 'print a shell completion script (bash or zsh)',
    args: [{ name: 'shell', values: ['bash', 'zsh'] }],
    examples: [
      'source <(kubegram completion bash)',
      'kubegram completion zsh > ~/.zfunc/_kubegram',
    ],
    async run(ctx) {
      const shell = ctx.args[0];
      if (shell === 'bash') ctx.io.out(bashCompletion(root()));
      else if (shell === 'zsh') ctx.io.out(zshCompletion(root()));
      else throw usageError('Usage: kubegram completion bash|zsh');
      return EXIT.ok;
    },
  };
}

export const ROOT: Command = {
  name: 'kubegram',
  summary: 'command-line client of Kubegram Server',
  children: [
    ...sessionCommands,
    verbCommand('get', 'list objects of a kind, or show one', RESOURCES, {
      flags: [OUTPUT_FLAG],
      run: unknownResource('get'),
    }),
    verbCommand('describe', 'every field of one object', RESOURCES, {
      run: unknownResource('describe'),
    }),
    verbCommand('create', 'create an object (a job, a token, a membership)', RESOURCES, {
      run: unknownResource('create'),
    }),
    verbCommand('delete', 'delete an object, or everything in a manifest file (-f)', RESOURCES, {
      flags: deleteManifestsFlags,
      examples: ['kubegram delete -f acme.yaml', 'kubegram delete session <id>'],
      run: deleteFromFile,
    }),
    applyCommand,
    ...RESOURCES.map(resourceGroup),
    mfaCommand,
    completionCommand(() => ROOT),
    { name: 'help', summary: 'help for a command: kubegram help jobs logs' },
  ],
};
