import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeededUser } from '../helpers/seed';
import { answerDeviceCode, type LiveApp } from '../tokens/helpers';

/** The real CLI as a subprocess, with HOME in a temporary directory of its own. */

export const CLI = join(import.meta.dir, '../../src/cli/index.ts');

export interface CliOptions {
  stdin?: string;
  env?: Record<string, string>;
}

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface CliHome {
  home: string;
  authFile: string;
  spawn(
    args: string[],
    options?: CliOptions & { stdinPipe?: boolean },
  ): Bun.Subprocess<'pipe', 'pipe', 'pipe'>;
  run(args: string[], options?: CliOptions): Promise<CliResult>;
  readAuth(): Record<string, any>;
  writeAuth(auth: Record<string, unknown>): void;
  remove(): void;
}

export function cliHome(): CliHome {
  const home = mkdtempSync(join(tmpdir(), 'kubegram-cli-'));
  const authFile = join(home, '.kubegram', 'auth.json');
  const spawn = (args: string[], options: CliOptions & { stdinPipe?: boolean } = {}) =>
    Bun.spawn(['bun', CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, ...options.env },
      stdin: options.stdinPipe
        ? 'pipe'
        : options.stdin !== undefined
          ? new TextEncoder().encode(options.stdin)
          : 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    }) as Bun.Subprocess<'pipe', 'pipe', 'pipe'>;
  return {
    home,
    authFile,
    spawn,
    async run(args, options = {}) {
      const proc = spawn(args, options);
      const [stdout, stderr, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ]);
      return { stdout, stderr, code };
    },
    readAuth: () => JSON.parse(readFileSync(authFile, 'utf8')),
    writeAuth: (auth) => writeFileSync(authFile, JSON.stringify(auth)),
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** Reads a subprocess's stdout until `pattern` matches what arrived so far; returns it all. */
export async function readUntil(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
  seen: { text: string; reader?: ReadableStreamDefaultReader<Uint8Array> } = { text: '' },
) {
  seen.reader ??= stream.getReader();
  while (!pattern.test(seen.text)) {
    const { value, done } = await seen.reader.read();
    if (done) break;
    seen.text += new TextDecoder().decode(value);
  }
  return seen;
}

/** The rest of the output, read with the same reader as readUntil. */
export async function readToEnd(
  stream: ReadableStream<Uint8Array>,
  seen: { text: string; reader?: ReadableStreamDefaultReader<Uint8Array> } = { text: '' },
) {
  await readUntil(stream, /(?!)/, seen);
  return seen.text;
}

/** `kubegram login` by device flow, approved by `user` as the /device page would be. */
export async function deviceLoginViaCli(cli: CliHome, live: LiveApp, user: SeededUser) {
  const proc = cli.spawn(['login', '--api-url', live.base]);
  const seen = await readUntil(proc.stdout, /enter the code ([A-Z]{4}-[A-Z]{4})/);
  const code = /enter the code ([A-Z]{4}-[A-Z]{4})/.exec(seen.text)?.[1];
  if (!code) throw new Error(`no user code in: ${seen.text}`);
  const answered = await answerDeviceCode(live.t, user, code);
  if (answered.status !== 200) throw new Error(`device answer: ${answered.status}`);
  await readUntil(proc.stdout, /Logged in as/, seen);
  seen.reader?.releaseLock();
  const exit = await proc.exited;
  if (exit !== 0)
    throw new Error(`login exited ${exit}: ${await new Response(proc.stderr).text()}`);
}
