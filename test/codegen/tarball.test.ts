import { describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkedUpstreamResult, isSafePath } from '../../src/services/codegen/result';
import { tarGz } from '../../src/services/codegen/tarball';

/** The hand-written ustar archive, read back by GNU tar; and the path checks in front of it. */

// The longest a path may be: 120 characters of directories and a 100-character file name.
const long = `${'deep/'.repeat(16)}${'m'.repeat(39)}/${'n'.repeat(95)}.yaml`;
const files = [
  { path: 'kustomization.yaml', content: 'resources: []\n' },
  { path: 'base/service-api.yaml', content: 'kind: Service\n' },
  { path: long, content: `${'x'.repeat(1000)}\nünïcödé ✓\n` },
  { path: 'empty.yaml', content: '' },
];

describe('tarball', () => {
  test('GNU tar lists and extracts every file byte for byte, long paths included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-tar-'));
    try {
      const archive = join(dir, 'out.tar.gz');
      writeFileSync(archive, tarGz(files, { root: 'kubegram-test', mtime: new Date(0) }));
      const list = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8' });
      expect(list.status).toBe(0);
      expect(list.stdout.trim().split('\n')).toEqual(files.map((f) => `kubegram-test/${f.path}`));
      const extract = spawnSync('tar', ['-xzf', archive, '-C', dir], { encoding: 'utf8' });
      expect(extract.stderr).toBe('');
      for (const f of files) {
        expect(readFileSync(join(dir, 'kubegram-test', f.path), 'utf8')).toBe(f.content);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the same files give the same bytes', () => {
    const options = { root: 'r', mtime: new Date('2026-01-01T00:00:00Z') };
    expect(Buffer.from(tarGz(files, options)).equals(Buffer.from(tarGz(files, options)))).toBe(
      true,
    );
  });

  test('unsafe paths from KubeRAG never reach an archive', () => {
    for (const path of ['../etc/passwd', '/abs.yaml', 'a/../../b', 'a//b', 'c:\\x', 'a/./b', '']) {
      expect(isSafePath(path)).toBe(false);
      expect(() =>
        checkedUpstreamResult({ jobId: 'j', files: [{ path, content: '' }], plan: null }),
      ).toThrow();
    }
    expect(() =>
      checkedUpstreamResult({
        jobId: 'j',
        files: [
          { path: 'a.yaml', content: '' },
          { path: 'a.yaml', content: '' },
        ],
        plan: null,
      }),
    ).toThrow('duplicate');
    expect(isSafePath(long)).toBe(true);
    expect(isSafePath(`x${long}`)).toBe(false);
    expect(isSafePath(`${'d'.repeat(101)}/a.yaml`)).toBe(false);
  });
});
