import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStateDir } from '../../src/cli/commands/machines.js';
import { startFixture } from '../helpers/child.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('hostwire machines', () => {
  it('create → set-state running → ls shows it interrupted → recover → remove', async () => {
    const stateDir = tempDir();
    const cli = (...args: string[]) => runCli(['machines', ...args, '--state-dir', stateDir, '--json']);

    const created = await cli('create', 'web', '--cpus', '2', '--memory-mb', '2048', '--disk-gb', '20', '--distro', 'debian');
    expect(created.code).toBe(0);
    const web = JSON.parse(created.stdout) as { name: string; vmId: string; state: string };
    expect(web).toMatchObject({ name: 'web', state: 'created', distro: 'debian' });
    expect(readFileSync(path.join(stateDir, 'machines', 'web', 'config.toml'), 'utf8')).toContain(`vm_id = "${web.vmId}"`);

    expect((await cli('set-state', 'web', 'running')).code).toBe(0);
    const listed = JSON.parse((await cli('ls')).stdout) as { machines: { name: string; state: string; needsRecovery: boolean }[] };
    expect(listed.machines).toMatchObject([{ name: 'web', state: 'stopped', needsRecovery: true }]);

    expect(JSON.parse((await cli('recover')).stdout)).toEqual({ recovered: ['web'] });
    expect(JSON.parse((await cli('show', 'web')).stdout)).toMatchObject({ name: 'web', needsRecovery: false, vmId: web.vmId });

    expect(JSON.parse((await cli('remove', 'web')).stdout)).toEqual({ removed: 'web' });
    const missing = await cli('show', 'web');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no machine named "web"');
  });

  it('rm, the spelling before remove, still removes; ls and show print through the shared table', async () => {
    const stateDir = tempDir();
    const cli = (...args: string[]) => runCli(['machines', ...args, '--state-dir', stateDir]);
    expect((await cli('create', 'db', '--cpus', '1', '--memory-mb', '512', '--disk-gb', '5')).code).toBe(0);
    expect(
      (await cli('create', 'web-01', '--cpus', '2', '--memory-mb', '2048', '--disk-gb', '20', '--ip-address', '172.16.0.2')).code,
    ).toBe(0);
    expect((await cli('ls')).stdout).toBe(
      [
        'NAME    STATE    CPUS  MEMORY   DISK   IP',
        'db      created  1     512 MB   5 GB   -',
        'web-01  created  2     2048 MB  20 GB  172.16.0.2',
        '',
      ].join('\n'),
    );
    const shown = (await cli('show', 'web-01')).stdout.split('\n');
    expect(shown).toContain('name       web-01');
    expect(shown).toContain('ipAddress  172.16.0.2');
    expect(shown.find((l) => l.startsWith('path '))).toBe(`path       ${path.join(stateDir, 'machines', 'web-01', 'config.toml')}`);
    const removed = await cli('rm', 'db');
    expect(removed).toMatchObject({ code: 0, stdout: 'removed db\n' });
    expect((await cli('ls')).stdout).not.toMatch(/^db /m);
  });

  it('set-state with a state the store does not know is a usage error (exit 2) naming the choices, and changes nothing', async () => {
    const stateDir = tempDir();
    expect(
      (await runCli(['machines', 'create', 'web-01', '--cpus', '1', '--memory-mb', '256', '--disk-gb', '1', '--state-dir', stateDir])).code,
    ).toBe(0);
    const result = await runCli(['machines', 'set-state', 'web-01', 'paused', '--state-dir', stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'state'. Allowed choices are created, starting, running, stopping, stopped.");
    const shown = await runCli(['machines', 'show', 'web-01', '--json', '--state-dir', stateDir]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'created' });
  });

  it('refuses a traversal name with the reason, and exits 1', async () => {
    const stateDir = tempDir();
    const result = await runCli([
      'machines',
      'create',
      '../x',
      '--cpus',
      '1',
      '--memory-mb',
      '1',
      '--disk-gb',
      '1',
      '--state-dir',
      stateDir,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid machine name "../x": must not contain ".."');
  });

  it('ls reports a corrupt config with its path and line, lists the rest, exits 1', async () => {
    const stateDir = tempDir();
    await runCli(['machines', 'create', 'ok', '--cpus', '1', '--memory-mb', '64', '--disk-gb', '1', '--state-dir', stateDir]);
    await runCli(['machines', 'create', 'bad', '--cpus', '1', '--memory-mb', '64', '--disk-gb', '1', '--state-dir', stateDir]);
    const file = path.join(stateDir, 'machines', 'bad', 'config.toml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('memory_mb = 64', 'memory_mb = -'));
    const result = await runCli(['machines', 'ls', '--state-dir', stateDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ok\s+created/m);
    expect(result.stderr).toContain(`cannot load bad: ${file}:3:`);
  });

  it('uses HOSTWIRE_STATE_DIR, else XDG_STATE_HOME/hostwire, else ~/.local/state/hostwire', async () => {
    expect(defaultStateDir({ HOSTWIRE_STATE_DIR: '/srv/hw', XDG_STATE_HOME: '/x' })).toBe('/srv/hw');
    expect(defaultStateDir({ XDG_STATE_HOME: '/x' })).toBe('/x/hostwire');
    expect(defaultStateDir({})).toMatch(/\.local\/state\/hostwire$/);
    const stateDir = tempDir();
    await runCli(['machines', 'create', 'envy', '--cpus', '1', '--memory-mb', '64', '--disk-gb', '1'], { HOSTWIRE_STATE_DIR: stateDir });
    expect(readFileSync(path.join(stateDir, 'machines', 'envy', 'config.toml'), 'utf8')).toContain('name = "envy"');
  });

  it('six concurrent creates on one state dir all succeed: each waits its turn for the store', async () => {
    const stateDir = tempDir();
    const names = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    const results = await Promise.all(
      names.map((name) =>
        runCli(['machines', 'create', name, '--cpus', '1', '--memory-mb', '64', '--disk-gb', '1', '--state-dir', stateDir, '--json']),
      ),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(results.map((r) => (JSON.parse(r.stdout) as { name: string }).name)).toEqual(names);
    expect(
      readdirSync(path.join(stateDir, 'machines'))
        .filter((n) => !n.startsWith('.'))
        .sort(),
    ).toEqual(names);
  });

  it('--wait-ms 0 fails at once while another process holds the store, naming it', async () => {
    const stateDir = tempDir();
    const holder = startFixture('hold-store.ts', [path.join(stateDir, 'machines')]);
    try {
      let out = '';
      holder.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      await expect.poll(() => out.includes('ready') || holder.exitCode !== null, { timeout: 15_000 }).toBe(true);
      const result = await runCli([
        'machines',
        'create',
        'web',
        '--cpus',
        '1',
        '--memory-mb',
        '64',
        '--disk-gb',
        '1',
        '--state-dir',
        stateDir,
        '--wait-ms',
        '0',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`is in use by another process (pid ${holder.pid})`);
      expect(result.stderr).toContain('[ERR_STORE_LOCKED]');
      expect(result.stderr).not.toContain('gave up after waiting');
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
  });

  it('--wait-ms takes decimal milliseconds up to 2^31-1 and nothing else (exit 2, the flag named)', async () => {
    for (const bad of ['-1', '1e3', '0x10', '2147483648']) {
      const result = await runCli(['machines', 'ls', '--state-dir', tempDir(), '--wait-ms', bad]);
      expect(result.code, bad).toBe(2);
      expect(result.stderr).toContain(
        `option '--wait-ms <n>' argument '${bad}' is invalid. Expected a whole number of milliseconds from 0 to 2147483647.`,
      );
    }
  });
});
