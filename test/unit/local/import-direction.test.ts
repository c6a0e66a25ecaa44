/**
 * `local/` and `cli/` import in one direction only: flowctl drives the local stack, the local stack knows nothing of
 * flowctl (what both need lives in `functions/domain/`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('local/', () => {
  it('imports nothing from cli/', () => {
    const offenders = sourceFiles(join(root, 'local')).filter((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)].some(([, specifier]) =>
        relative(root, join(file, '..', specifier!)).startsWith('cli/'),
      ),
    );
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });
});
