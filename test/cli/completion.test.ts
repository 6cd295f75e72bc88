import { afterAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/cli/table';
import { cliHome } from './helpers';

/** Help and shell completion come from the command table; bash must accept the script. */

const cli = cliHome();
afterAll(() => cli.remove());

/** Completes the last word of `line` with the generated script, as bash would on Tab. */
async function complete(script: string, line: string[]): Promise<string[]> {
  const file = join(cli.home, 'completion.bash');
  writeFileSync(file, script);
  const words = line.map((w) => `'${w}'`).join(' ');
  const probe = `source '${file}'; COMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _kubegram; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const proc = Bun.spawn(['bash', '--norc', '--noprofile', '-c', probe], {
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  expect(err).toBe('');
  expect(code).toBe(0);
  return out.split('\n').filter(Boolean).sort();
}

describe('kubegram completion', () => {
  test('bash: valid syntax, and partial words complete through compgen', async () => {
    const res = await cli.run(['completion', 'bash']);
    expect(res.code).toBe(0);
    const file = join(cli.home, 'kubegram.bash');
    writeFileSync(file, res.stdout);
    const syntax = Bun.spawnSync(['bash', '-n', file]);
    expect(syntax.stderr.toString()).toBe('');
    expect(syntax.exitCode).toBe(0);

    const script = res.stdout;
    expect(await complete(script, ['kubegram', 'jo'])).toEqual(['job', 'jobs']);
    expect(await complete(script, ['kubegram', 'jobs', 'lo'])).toEqual(['logs']);
    expect(await complete(script, ['kubegram', 'get', 'inv'])).toEqual([
      'invitation',
      'invitations',
    ]);
    expect(await complete(script, ['kubegram', 'get', 'jobs', '-o', ''])).toEqual([
      'json',
      'table',
      'wide',
      'yaml',
    ]);
    expect(await complete(script, ['kubegram', 'jobs', 'logs', '--f'])).toEqual(['--follow']);
    expect(await complete(script, ['kubegram', 'completion', ''])).toEqual(['bash', 'zsh']);
    // Flags with values are skipped while finding the command; later arguments complete too.
    expect(
      await complete(script, ['kubegram', '--api-url', 'http://x', 'users', 'set-role', '7', 'm']),
    ).toEqual(['manager']);
    expect(await complete(script, ['kubegram', 'mfa', ''])).toEqual([
      'disable',
      'enable',
      'recovery-codes',
      'status',
    ]);
  });

  test('every command of the table is completed and has help', async () => {
    const top = await complete((await cli.run(['completion', 'bash'])).stdout, ['kubegram', '']);
    for (const command of ROOT.children ?? []) {
      expect(top).toContain(command.name);
      const help = await cli.run([command.name, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(command.summary);
    }
  });

  test('zsh: a #compdef file over the same tables; completes in zsh where zsh is installed', async () => {
    const res = await cli.run(['completion', 'zsh']);
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe('#compdef kubegram');
    const bash = (await cli.run(['completion', 'bash'])).stdout;
    const tables = bash.slice(bash.indexOf('_kubegram_step()'), bash.indexOf('_kubegram_word()'));
    expect(tables.length).toBeGreaterThan(1000);
    expect(res.stdout).toContain(tables);
    const zsh = Bun.which('zsh');
    if (!zsh) {
      console.log('zsh is not installed: the zsh script was checked as text only');
      return;
    }
    const file = join(cli.home, '_kubegram');
    writeFileSync(file, res.stdout);
    expect(Bun.spawnSync([zsh, '-n', file]).exitCode).toBe(0);
    // compadd and _files stand in for zsh's completion system, printing the candidates.
    const probe = (words: string[]) =>
      Bun.spawnSync([
        zsh,
        '-f',
        '-c',
        `compdef() { : }; compadd() { [[ $1 == -- ]] && shift; print -r -- "$*" }
         _files() { print -r -- FILES }; source '${file}'
         words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _kubegram`,
      ])
        .stdout.toString()
        .trim();
    expect(probe(['kubegram', 'jobs', 'lo'])).toContain('logs');
    expect(probe(['kubegram', 'get', 'jobs', '-o', ''])).toBe('table wide json yaml');
    expect(probe(['kubegram', 'users', 'set-role', '7', ''])).toBe('admin manager team_member');
    expect(probe(['kubegram', 'apply', '-f', ''])).toBe('FILES');
  });

  test('an unknown shell, command or flag is a usage error (exit 2)', async () => {
    expect((await cli.run(['completion', 'fish'])).code).toBe(2);
    const unknown = await cli.run(['jobs', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command `kubegram jobs frobnicate`');
    const flag = await cli.run(['jobs', 'logs', '--nope', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Unknown flag --nope');
  });
});

describe('kubegram --help', () => {
  test('lists the commands and documents the exit codes', async () => {
    const res = await cli.run(['--help']);
    expect(res.code).toBe(0);
    for (const line of ['0  ok', '3  not logged in', '4  server unreachable', '5  not found']) {
      expect(res.stdout).toContain(line);
    }
    expect(res.stdout).toContain('completion');
    const bare = await cli.run([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe(res.stdout);
  });

  test('help for a command shows its flags, aliases and examples', async () => {
    const res = await cli.run(['help', 'jobs', 'logs']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('kubegram jobs logs <job-id> [flags]');
    expect(res.stdout).toContain('-f, --follow');
    const group = await cli.run(['jobs', '--help']);
    expect(group.stdout).toContain('get (list)');
    expect(group.stdout).toContain('delete (cancel)');
  });
});
