import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { ClientError } from '../client/errors';

/**
 * Unpacks a job result (.tar.gz with one root directory, `kubegram-codegen-…/`) into `dir`,
 * without that root, so `--out shop` gives `shop/kustomization.yaml`. Every entry must stay
 * inside `dir`: an absolute path or one climbing out with `..` is refused before anything is
 * written. Returns the paths written, relative to `dir`.
 */
export async function unpackResult(tarGz: Uint8Array, dir: string): Promise<string[]> {
  const entries = await new Bun.Archive(tarGz).files();
  const files: Array<{ path: string; body: Uint8Array }> = [];
  for (const [entry, file] of entries) {
    const inner = entry.split('/').slice(1).join('/');
    if (!inner) continue;
    const target = normalize(inner);
    if (isAbsolute(target) || target === '..' || target.startsWith(`..${sep}`)) {
      throw new ClientError(`The result contains an unsafe path: ${entry}`);
    }
    files.push({ path: target, body: new Uint8Array(await file.arrayBuffer()) });
  }
  for (const file of files) {
    const destination = join(dir, file.path);
    if (relative(dir, destination).startsWith('..')) {
      throw new ClientError(`The result contains an unsafe path: ${file.path}`);
    }
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, file.body);
  }
  return files.map((f) => f.path);
}
