import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPermissionTable } from './permission-table';

/** Cells of a markdown table, trimmed, so column padding (biome formats markdown) does not matter. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((row) =>
      row
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^:?-+:?$/, '---')),
    );
}

test('docs/permissions.md shows exactly the matrix policy.ts enforces', () => {
  const doc = readFileSync(join(import.meta.dir, '../../docs/permissions.md'), 'utf8');
  const match = /<!-- permissions:start -->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(doc);
  expect(match).not.toBeNull();
  expect(cells(match![1]!)).toEqual(cells(renderPermissionTable()));
});
