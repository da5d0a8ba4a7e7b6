import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileDurable } from '../../src/machines/durable-file.js';
import { native } from '../../src/native.js';
import { tempDir } from '../helpers/tmp.js';

// readFiles with its optional bounds (what the machine store reads configs with).
const boundedRead = native.sys.readFiles;

describe('atomic durable replace (addon)', () => {
  it.each([true, false])('replaces the file with mode 0600 and leaves no temp file (durable %s)', async (durable) => {
    const dir = tempDir();
    const file = path.join(dir, 'config.toml');
    writeFileSync(file, 'old', { mode: 0o644 });
    await writeFileDurable(file, 'new contents', { durable });
    expect(readFileSync(file, 'utf8')).toBe('new contents');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it('fails with a Node-style error naming the path when the directory is missing, writing nothing', async () => {
    const file = path.join(tempDir(), 'missing', 'config.toml');
    await expect(writeFileDurable(file, 'x', { durable: true })).rejects.toMatchObject({
      code: 'ENOENT',
      syscall: 'open',
      message: expect.stringContaining(path.dirname(file)),
    });
  });

  it('a failed rename removes its temp file and keeps the old target', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'target');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x'); // a non-empty directory cannot be renamed over
    await expect(native.sys.replaceFile(target, 'data', 0o600, false)).rejects.toMatchObject({ syscall: 'rename', path: target });
    expect(readdirSync(dir)).toEqual(['target']);
  });

  it('readFiles returns contents in order, with an error in the slot of a file that cannot be read', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a'), 'alpha');
    writeFileSync(path.join(dir, 'c'), Buffer.alloc(40_000, 'c'));
    const [a, b, c] = await native.sys.readFiles([path.join(dir, 'a'), path.join(dir, 'b'), path.join(dir, 'c')]);
    expect(a?.toString()).toBe('alpha');
    expect(b).toMatchObject({ code: 'ENOENT', syscall: 'open', path: path.join(dir, 'b') });
    expect((c as Buffer).length).toBe(40_000);
  });

  it('bounded readFiles reads at most maxBytes + 1: a file whose size lies (st_size 0) is still caught', async () => {
    // /proc files are regular files that report size 0 at fstat, like a file that grows after it.
    const [status] = await boundedRead(['/proc/self/status'], { maxBytes: 64 });
    expect(status).toMatchObject({ code: 'ERR_FILE_TOO_LARGE', path: '/proc/self/status', size: 65, limit: 64, grew: true });
    const [whole] = await boundedRead(['/proc/self/status'], { maxBytes: 1 << 20 });
    expect((whole as Buffer).toString()).toMatch(/^Name:/);
  });

  it('bounded readFiles with a base refuses paths that could leave it, before any read', () => {
    for (const bad of ['../x', '/etc/passwd', 'a//b', './a', 'a/']) {
      expect(() => boundedRead([bad], { maxBytes: 10, base: '/tmp' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    }
    expect(() => boundedRead(['a'], { maxBytes: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => boundedRead(['a'], { maxBytes: 2 ** 31 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => boundedRead(['a'], 'fast' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('sweeps only temp files', async () => {
    const dir = tempDir();
    for (const name of ['config.toml', '.config.toml.123.abcdef.tmp', 'notes.tmp']) writeFileSync(path.join(dir, name), '');
    expect(await removeStaleTempFiles(dir)).toEqual(['.config.toml.123.abcdef.tmp']);
    expect(readdirSync(dir).sort()).toEqual(['config.toml', 'notes.tmp']);
  });
});
