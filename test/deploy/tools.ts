import { spawnSync } from 'node:child_process';
import { missing } from '../helpers/requirements';

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
  return !missing(command, onPath(command), `not on PATH: ${why} skipped`);
}
