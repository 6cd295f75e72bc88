import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPermissionTable } from './permission-table';

test('docs/permissions.md shows exactly the matrix policy.ts enforces', () => {
  const doc = readFileSync(join(import.meta.dir, '../../docs/permissions.md'), 'utf8');
  const match = /<!-- permissions:start -->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(doc);
  expect(match).not.toBeNull();
  expect(match![1]!.trim()).toBe(renderPermissionTable());
});
