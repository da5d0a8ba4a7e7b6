// Atomic, durable file replacement: a reader (or a crash) sees the old file
// or the new one, never a torn mix. Temp file in the same directory, created
// exclusively with mode 0600, written, fsynced, renamed over the target, and
// the directory fsynced so the rename itself survives a power cut.
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { native } from '../native.js';

export interface DurableOptions {
  /** fsync file and directory (default true). False for tests and tmpfs. */
  durable: boolean;
}

const TEMP_SUFFIX = '.tmp';

export function isTempFile(fileName: string): boolean {
  return fileName.startsWith('.') && fileName.endsWith(TEMP_SUFFIX);
}

/**
 * Replaces `file` atomically (and, when durable, with both fsyncs). The
 * whole sequence runs in the addon as one threadpool trip; the temp file is
 * `.<name>.<pid>.<random>.tmp` beside the target, created with mode 0600.
 */
export async function writeFileDurable(file: string, data: string, options: DurableOptions): Promise<void> {
  await native.sys.replaceFile(file, data, 0o600, options.durable);
}

/** fsync a directory, making entries created, renamed or removed in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p with a mode; makes the new entry durable in its parent. */
export async function ensureDirectory(dir: string, mode: number, options: DurableOptions): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode });
  if (created !== undefined && options.durable) await syncDirectory(path.dirname(dir));
}

/** Removes temp files a killed writer left behind; returns their names. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter(isTempFile);
  await Promise.all(names.map((name) => rm(path.join(dir, name), { force: true })));
  return names;
}
