import { test } from 'bun:test';
import { spawnSync } from 'node:child_process';

/** Whether `command` is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/**
 * For tests that need an external program: true when it is there. Otherwise the reason is
 * printed, and under CI=true a failing test is registered instead, so CI cannot pass by
 * skipping.
 */
export function requireTool(command: string, why: string): boolean {
  if (onPath(command)) return true;
  const reason = `${command} not found: ${why} skipped`;
  if (process.env.CI === 'true') {
    test(`${command} is installed (required under CI)`, () => {
      throw new Error(reason);
    });
  } else console.log(`[skip] ${reason}`);
  return false;
}
