import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VARIABLES } from '../../src/config';

const readme = readFileSync(join(import.meta.dir, '../../README.md'), 'utf8');

describe('README stays true', () => {
  test('starts with the two set-up commands', () => {
    const firstBlock = readme.slice(0, readme.indexOf('```', readme.indexOf('```bash') + 7));
    expect(firstBlock).toContain('npm ci && npm start');
    expect(firstBlock).toContain('npm ci && npm test');
  });

  test('documents every environment variable in a table row', () => {
    const missing = ENV_VARIABLES.filter(
      (name) => !name.startsWith('TEST_') && !readme.includes(`| \`${name}\``),
    );
    expect(missing).toEqual([]);
  });
});
