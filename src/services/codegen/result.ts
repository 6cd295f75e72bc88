import type { UpstreamResult } from '../../clients/kuberag/types';

/**
 * What a job stores as its result and what the API returns: files (codegen) and a plan (plan
 * jobs). Results from KubeRAG are checked before they are stored, because their paths end up
 * in a tarball on a user's disk.
 */

export interface JobResult {
  files: Array<{ path: string; content: string }>;
  plan?: unknown;
}

export class InvalidResultError extends Error {}

const SAFE_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const MAX_FILES = 2000;
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;

export function isSafePath(path: string): boolean {
  return (
    // It must fit a ustar header behind the archive's root directory (≤ 30 characters):
    // directories ≤ 120, every segment (so the file name) ≤ 100.
    path.lastIndexOf('/') < 120 &&
    SAFE_PATH.test(path) &&
    !path.split('/').some((segment) => segment === '.' || segment === '..' || segment.length > 100)
  );
}

export function checkedUpstreamResult(result: UpstreamResult): JobResult {
  if (!Array.isArray(result?.files)) throw new InvalidResultError('files missing');
  if (result.files.length > MAX_FILES) throw new InvalidResultError('too many files');
  let total = 0;
  const seen = new Set<string>();
  for (const file of result.files) {
    if (typeof file?.path !== 'string' || typeof file.content !== 'string') {
      throw new InvalidResultError('malformed file entry');
    }
    if (!isSafePath(file.path))
      throw new InvalidResultError(`unsafe path ${file.path.slice(0, 80)}`);
    if (seen.has(file.path)) throw new InvalidResultError(`duplicate path ${file.path}`);
    seen.add(file.path);
    total += Buffer.byteLength(file.content);
    if (total > MAX_TOTAL_BYTES) throw new InvalidResultError('result too large');
  }
  const files = result.files.map((f) => ({ path: f.path, content: f.content }));
  return result.plan ? { files, plan: result.plan } : { files };
}
