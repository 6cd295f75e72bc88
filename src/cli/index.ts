#!/usr/bin/env bun
import { createInterface } from 'node:readline/promises';
import { authFilePath, loadAuth } from '../client/auth-store';
import { ClientError, EXIT } from '../client/errors';
import { run } from './run';
import type { Io } from './spec';

/**
 * Entry point of the `kubegram` CLI (package.json `bin`; `bun build --compile` makes one
 * executable). The only place the CLI reads its environment: KUBEGRAM_API_URL and HOME.
 */
const DEFAULT_API_URL = 'http://localhost:8090';

function apiUrlOf(cliValue: string | undefined): string {
  const chosen =
    cliValue ?? process.env.KUBEGRAM_API_URL ?? loadAuth(authFilePath())?.apiUrl ?? DEFAULT_API_URL;
  try {
    const url = new URL(chosen);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.toString().replace(/\/$/, '');
  } catch {
    throw new ClientError(`Invalid API URL "${chosen}"`, EXIT.usage);
  }
}

/**
 * One line reader for the whole run: piped input arrives in one chunk, and a reader made per
 * prompt would swallow the lines meant for the next prompt (password, then two-factor code).
 */
let stdinLines: ReturnType<ReturnType<typeof createInterface>[typeof Symbol.asyncIterator]>;
let stdinReader: ReturnType<typeof createInterface> | undefined;

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  async readLine(prompt) {
    process.stderr.write(prompt);
    if (!stdinReader) {
      stdinReader = createInterface({ input: process.stdin, terminal: false });
      stdinLines = stdinReader[Symbol.asyncIterator]();
    }
    const next = await stdinLines.next();
    return next.done ? '' : next.value;
  },
};

async function main(): Promise<number> {
  try {
    const clientFor = (flag: string | undefined) => ({
      apiUrl: apiUrlOf(flag),
      authFile: authFilePath(),
    });
    return await run(process.argv.slice(2), clientFor, io);
  } catch (err) {
    if (err instanceof ClientError) {
      io.err(`error: ${err.message}`);
      if (Array.isArray(err.details)) {
        for (const d of err.details as Array<{ path?: string; message?: string }>) {
          io.err(`  ${d.path ?? ''}: ${d.message ?? JSON.stringify(d)}`);
        }
      }
      return err.exitCode;
    }
    io.err(`error: ${(err as Error).message}`);
    return EXIT.error;
  }
}

process.exitCode = await main();
// An open reader on a terminal would keep the process waiting for input.
stdinReader?.close();
