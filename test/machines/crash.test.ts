// A process killed at any instant leaves the old config or the new one, never a torn one.
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MachineStore } from '../../src/machines/index.js';
import { startFixture } from '../helpers/child.js';
import { tempDir } from '../helpers/tmp.js';
import { isSomeVersion } from './versions.js';

const KILLS = 25;

describe('crash safety', () => {
  it(`a writer SIGKILLed at random moments ${KILLS} times always leaves a complete, written version`, async () => {
    const baseDir = path.join(tempDir(), 'machines');
    const seen = new Set<number>();
    for (let round = 0; round < KILLS; round++) {
      const writer = startFixture('rewrite-loop.ts', [baseDir, 'true']);
      let out = '';
      writer.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      let errText = '';
      writer.stderr!.setEncoding('utf8').on('data', (d: string) => (errText += d));
      await expect.poll(() => out.includes('ready') || writer.exitCode !== null, { timeout: 20_000 }).toBe(true);
      expect(errText).toBe('');
      // Let it rewrite for a random while, then kill it mid-whatever.
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 60));
      writer.kill('SIGKILL');
      await once(writer, 'exit');

      const dir = path.join(baseDir, 'crashy');
      const store = await MachineStore.open(baseDir); // also sweeps temp files of the killed writer
      try {
        const { config } = await store.load('crashy');
        expect(isSomeVersion(config), `round ${round}: version ${config.memoryMb} is torn`).toBe(true);
        seen.add(config.memoryMb);
        expect(readdirSync(dir)).toEqual(['config.toml']);
      } finally {
        await store.close();
      }
    }
    // The writer was really interrupted at different points, not always before its first rewrite.
    expect(seen.size).toBeGreaterThan(1);
  }, 300_000);
});
