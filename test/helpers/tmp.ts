import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh private directory, removed after the current test. */
export function tempDir(prefix = 'hostwire-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A unique abstract-namespace name for this process. */
export function abstractName(tag: string): string {
  return `@hostwire-test-${process.pid}-${tag}-${Math.random().toString(36).slice(2)}`;
}
