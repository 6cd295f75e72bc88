import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import {
  commandOf,
  isIgnored,
  parseDockerignore,
  ROOT,
  readRepoFile,
  type Stage,
} from './dockerfile';
import { pathWithBun } from './process';

/**
 * A stand-in for `docker build` where no daemon can run: each stage's WORKDIR is a temporary
 * directory, COPY instructions copy from the build context (the repository filtered by
 * .dockerignore) or from an earlier stage, and the stage's `bun …` RUN steps (the dependency
 * install) run there with this machine's Bun. Steps on absolute paths outside WORKDIR (the
 * /data volume's mkdir/chown) are left out. What comes out is the runtime stage's /app, so a
 * test can start the server from exactly the files the image would hold.
 */

/** Every file of the repository that .dockerignore lets into the build context. */
export function buildContextFiles(): string[] {
  const rules = parseDockerignore(readRepoFile('.dockerignore'));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(ROOT, path);
      // Docker still descends into an ignored directory when an exception could match below
      // it; node_modules and .git never hold one here, and walking them would take long.
      if (entry.isDirectory()) {
        if (rel !== 'node_modules' && rel !== '.git') walk(path);
      } else if (!isIgnored(rules, rel)) files.push(rel);
    }
  };
  walk(ROOT);
  return files.sort();
}

function copyContext(): string {
  const context = mkdtempSync(join(tmpdir(), 'kg-context-'));
  for (const file of buildContextFiles()) {
    mkdirSync(dirname(join(context, file)), { recursive: true });
    cpSync(join(ROOT, file), join(context, file));
  }
  return context;
}

interface CopyStep {
  from?: string;
  sources: string[];
  destination: string;
}

export function parseCopy(args: string): CopyStep {
  const words = args.split(' ');
  const options = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = options.find((o) => o.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

export interface BuiltImage {
  /** The runtime stage's WORKDIR (/app) on this machine. */
  appDir: string;
  /** Instructions that could not be reproduced here, for the test log. */
  skipped: string[];
  /** Deletes the context copy and every stage directory. */
  remove(): void;
}

export function buildWithoutDocker(stages: Stage[]): BuiltImage {
  const context = copyContext();
  const created = [context];
  const stageDirs = new Map<string, { dir: string; workdir: string }>();
  const skipped: string[] = [];
  let current = { dir: '', workdir: '/' };
  for (const [index, stage] of stages.entries()) {
    current = { dir: mkdtempSync(join(tmpdir(), `kg-stage-${index}-`)), workdir: '/' };
    created.push(current.dir);
    stageDirs.set(stage.name ?? String(index), current);
    for (const { keyword, args } of stage.instructions) {
      if (keyword === 'WORKDIR') current.workdir = args;
      else if (keyword === 'COPY') {
        const step = parseCopy(args);
        const source = step.from ? stageDirs.get(step.from) : undefined;
        if (step.from && !source) throw new Error(`COPY --from=${step.from}: no such stage`);
        for (const path of step.sources) {
          const from = source
            ? join(source.dir, relative(source.workdir, path))
            : join(context, path);
          const into = join(current.dir, step.destination);
          const target = step.destination.endsWith('/') ? join(into, basename(from)) : into;
          if (!statSync(from, { throwIfNoEntry: false }))
            throw new Error(`COPY ${path}: not in the build`);
          cpSync(from, target, { recursive: true });
        }
      } else if (keyword === 'RUN' && args.startsWith('bun ')) {
        const [command, ...rest] = commandOf(args);
        const run = spawnSync(command!, rest, {
          cwd: current.dir,
          encoding: 'utf8',
          env: { ...process.env, PATH: pathWithBun() },
        });
        if (run.status !== 0) throw new Error(`RUN ${args} failed:\n${run.stdout}${run.stderr}`);
      } else if (keyword === 'RUN') skipped.push(`RUN ${args}`);
    }
  }
  return {
    appDir: current.dir,
    skipped,
    remove: () => {
      for (const dir of created) rmSync(dir, { recursive: true, force: true });
    },
  };
}
