import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Just enough of the Dockerfile and .dockerignore formats to check the image's contract
 * without a Docker daemon: instructions with their continuation lines joined, grouped into
 * build stages, and Docker's ignore-file matching.
 */

export const ROOT = join(import.meta.dir, '../..');

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM image reference, e.g. `oven/bun:1.4.5-slim`. */
  image: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') {
      const [image, as, name] = args.split(' ');
      stages.push({
        image: image!,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else stages.at(-1)?.instructions.push({ keyword, args });
  }
  return stages;
}

/** `["a", "b"]` (exec form) as a list; shell form as `sh -c` would run it. */
export function commandOf(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : ['sh', '-c', args];
}

/** The values of every `ENV A=1 B=2` of a stage. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    for (const [, name, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[name!] = value!.replace(/^"|"$/g, '');
    }
  }
  return env;
}

interface IgnoreRule {
  include: boolean;
  pattern: RegExp;
}

/** A .dockerignore pattern (Go filepath.Match plus `**`) as an anchored regular expression. */
function patternToRegExp(pattern: string): RegExp {
  const clean = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let source = '';
  for (let i = 0; i < clean.length; i++) {
    const ch = clean[i]!;
    if (ch === '*' && clean[i + 1] === '*') {
      // `**/` matches any number of directories, a trailing `**` anything at all.
      source += clean[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += clean[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) =>
      line.startsWith('!')
        ? { include: true, pattern: patternToRegExp(line.slice(1).trim()) }
        : { include: false, pattern: patternToRegExp(line) },
    );
}

/**
 * Whether Docker leaves `path` (relative to the context) out of the build context: the last
 * rule that matches the path or one of its parent directories decides, as in Docker's
 * pattern matcher.
 */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.pattern.test(candidate))) ignored = !rule.include;
  }
  return ignored;
}

export const readRepoFile = (path: string) => readFileSync(join(ROOT, path), 'utf8');
