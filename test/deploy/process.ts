import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let bunDir: string | undefined;
/**
 * A PATH on which `bun` is the Bun running the tests (under npm it is installed as
 * node_modules/bun/bin/bun.exe, so its own directory does not provide the name).
 */
export function pathWithBun(): string {
  if (!bunDir) {
    const dir = mkdtempSync(join(tmpdir(), 'kg-bun-'));
    symlinkSync(process.execPath, join(dir, 'bun'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    bunDir = dir;
  }
  return `${bunDir}:/usr/local/bin:/usr/bin:/bin`;
}

/** A child process whose output is kept, and a way to wait for it to exit. */
export interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGTERM to the whole process group (npm and bun --watch start children of their own). */
  stop(): Promise<number | null>;
}

export function startChild(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Child {
  let output = '';
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      output += String(err);
      resolve(null);
    });
  });
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
      return exited;
    },
  };
}

/** Polls until `url` answers 2xx; false after `timeoutMs` or once `server` has exited. */
export async function waitForOk(url: string, server?: Child, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const running = () => !server || (server.child.exitCode === null && !server.child.signalCode);
  while (Date.now() < deadline && running()) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await Bun.sleep(100);
  }
  return false;
}
