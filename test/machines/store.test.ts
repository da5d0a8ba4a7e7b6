import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ImmutableFieldError,
  InvalidMachineNameError,
  MachineConfigError,
  MachineExistsError,
  MachineNotFoundError,
  MachineStore,
  StoreLockedError,
  type MachineConfig,
  type MachineName,
} from '../../src/machines/index.js';
import { startFixture } from '../helpers/child.js';
import { tempDir } from '../helpers/tmp.js';

const base = { cpus: 2, memoryMb: 2048, diskGb: 20 };

async function openStore(dir = tempDir(), durable = true): Promise<MachineStore> {
  return MachineStore.open(path.join(dir, 'machines'), { durable });
}

describe('MachineStore', () => {
  it('creates, lists, loads and removes machines in <baseDir>/<name>/config.toml, mode 0600', async () => {
    await using store = await openStore();
    const created = await store.create({ name: 'web', ...base, ipAddress: '172.16.0.2' });
    expect(created.state).toBe('created');
    expect(created.vmId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(created.createdAt!)).not.toBeNaN();
    await store.create({ name: 'db', ...base });

    const file = path.join(store.baseDir, 'web', 'config.toml');
    expect(store.configPath('web')).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toContain('ip_address = "172.16.0.2"');
    expect(await store.list()).toEqual(['db', 'web']);
    expect((await store.load('web')).config).toEqual(created);
    expect(readdirSync(path.dirname(file))).toEqual(['config.toml']); // no temp file left

    await expect(store.create({ name: 'web', ...base })).rejects.toBeInstanceOf(MachineExistsError);
    await store.remove('web');
    expect(await store.list()).toEqual(['db']);
    await expect(store.load('web')).rejects.toBeInstanceOf(MachineNotFoundError);
    await expect(store.remove('web')).rejects.toMatchObject({ code: 'ERR_MACHINE_NOT_FOUND' });
  });

  it('rejects bad names before touching the filesystem', async () => {
    await using store = await openStore();
    for (const bad of ['../escape', '', '/abs', 'UPPER']) {
      await expect(store.create({ name: bad, ...base })).rejects.toBeInstanceOf(InvalidMachineNameError);
      await expect(store.load(bad)).rejects.toBeInstanceOf(InvalidMachineNameError);
      await expect(store.remove(bad)).rejects.toBeInstanceOf(InvalidMachineNameError);
    }
    expect(readdirSync(store.baseDir).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(existsSync(path.join(store.baseDir, '..', 'escape'))).toBe(false);
  });

  it('update is one load → mutate → write; createdAt and vmId survive every rewrite', async () => {
    await using store = await openStore();
    const created = await store.create({ name: 'vm', ...base });
    await store.update('vm', (c) => {
      c.cpus = 8;
    });
    await store.updateState('vm', 'running');
    await store.updateIp('vm', '172.16.0.9');
    let { config } = await store.load('vm');
    expect(config).toMatchObject({ cpus: 8, ipAddress: '172.16.0.9', state: 'stopped' }); // running loads as stopped
    expect(config.createdAt).toBe(created.createdAt);
    expect(config.vmId).toBe(created.vmId);
    await store.updateIp('vm', null);
    ({ config } = await store.load('vm'));
    expect(config.ipAddress).toBeUndefined();

    await expect(store.update('vm', (c) => ({ ...c, vmId: 'other' }))).rejects.toBeInstanceOf(ImmutableFieldError);
    await expect(store.update('vm', (c) => ({ ...c, createdAt: '2000-01-01T00:00:00Z' }))).rejects.toMatchObject({
      code: 'ERR_IMMUTABLE_FIELD',
      field: 'createdAt',
    });
    await expect(store.updateState('vm', 'exploded' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect((await store.load('vm')).config.vmId).toBe(created.vmId);
  });

  it('serialises concurrent updates of one machine: none is lost', async () => {
    await using store = await openStore(undefined, false);
    await store.create({ name: 'counter', ...base, cpus: 1 });
    await Promise.all(
      Array.from({ length: 50 }, () =>
        store.update('counter', (c) => {
          c.cpus += 1;
        }),
      ),
    );
    expect((await store.load('counter')).config.cpus).toBe(51);
  });

  it('unknown keys written by a newer version survive load → update → save', async () => {
    await using store = await openStore();
    await store.create({ name: 'future', ...base });
    const file = store.configPath('future');
    writeFileSync(file, `hotplug = true\n${readFileSync(file, 'utf8')}\n[numa]\nnodes = 2\n`);
    await store.updateState('future', 'stopped');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('hotplug = true');
    expect(text).toContain('[numa]');
    const loaded = await store.load('future');
    expect(loaded.config.extra).toEqual({ hotplug: true, numa: { nodes: 2 } });
    await store.save({ ...loaded.config, cpus: 3 });
    expect((await store.load('future')).config.extra).toEqual({ hotplug: true, numa: { nodes: 2 } });
  });

  it('recovery: machines persisted as running are reported and durably marked stopped', async () => {
    const dir = tempDir();
    {
      await using store = await openStore(dir);
      await store.create({ name: 'a', ...base });
      await store.create({ name: 'b', ...base });
      await store.create({ name: 'c', ...base });
      await store.updateState('a', 'running');
      await store.updateState('b', 'starting');
      await store.updateState('c', 'stopping');
    }
    await using store = await openStore(dir); // the daemon restarts
    const { machines } = await store.loadAll();
    expect(machines.map((m) => [m.config.name, m.config.state, m.needsRecovery])).toEqual([
      ['a', 'stopped', true],
      ['b', 'stopped', true],
      ['c', 'stopped', false],
    ]);
    const recovered = await store.recoverInterrupted();
    expect(recovered.map((m) => m.config.name)).toEqual(['a', 'b']);
    expect(readFileSync(store.configPath('a'), 'utf8')).toContain('state = "stopped"');
    expect((await store.recoverInterrupted()).length).toBe(0);
  });

  it('loadAll returns every bad config with its path and reason, and quarantine lets the daemon start', async () => {
    await using store = await openStore();
    await store.create({ name: 'good', ...base });
    await store.create({ name: 'typed', ...base });
    mkdirSync(path.join(store.baseDir, 'broken'));
    writeFileSync(path.join(store.baseDir, 'broken', 'config.toml'), 'name = "broken"\ncpus = [\n');
    writeFileSync(store.configPath('typed'), readFileSync(store.configPath('typed'), 'utf8').replace('cpus = 2', 'cpus = "two"'));
    mkdirSync(path.join(store.baseDir, 'Bad Name'));

    const { machines, errors } = await store.loadAll();
    expect(machines.map((m) => m.config.name)).toEqual(['good']);
    expect(errors.map((e) => e.name)).toEqual(['Bad Name', 'broken', 'typed']);
    expect(errors[0]!.error).toBeInstanceOf(InvalidMachineNameError);
    expect(errors[1]!.error).toBeInstanceOf(MachineConfigError);
    expect(errors[1]!.path).toBe(path.join(store.baseDir, 'broken', 'config.toml'));
    expect((errors[1]!.error as MachineConfigError).line).toBe(3);
    expect(errors[2]!.error.message).toContain('cpus: expected an integer');
    await expect(store.load('typed')).rejects.toMatchObject({ code: 'ERR_MACHINE_CONFIG', line: 2 });

    const aside = await store.quarantine('broken');
    expect(path.basename(aside)).toMatch(/^config\.toml\.quarantined-\d{4}-\d\d-\d\dT/);
    expect(readFileSync(aside, 'utf8')).toContain('cpus = [');
    const after = await store.loadAll();
    expect(after.errors.map((e) => e.name)).toEqual(['Bad Name', 'typed']);
    expect(await store.list()).toEqual(['good', 'typed']);
  });

  it('a directory name that does not match its config name is an error, not a silent rename', async () => {
    await using store = await openStore();
    await store.create({ name: 'one', ...base });
    mkdirSync(path.join(store.baseDir, 'two'));
    writeFileSync(path.join(store.baseDir, 'two', 'config.toml'), readFileSync(store.configPath('one')));
    await expect(store.load('two')).rejects.toThrow('name: "one" does not match its directory "two"');
  });

  it('a second process opening the store gets a clear error naming the holder’s pid; it opens once the holder dies', async () => {
    const dir = tempDir();
    const baseDir = path.join(dir, 'machines');
    const holder = startFixture('hold-store.ts', [baseDir]);
    let out = '';
    holder.stdout!.on('data', (d: Buffer) => (out += d));
    await expect.poll(() => out.includes('ready'), { timeout: 15_000 }).toBe(true);

    let thrown: unknown;
    try {
      await MachineStore.open(baseDir);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StoreLockedError);
    expect(thrown).toMatchObject({ code: 'ERR_STORE_LOCKED', holderPid: holder.pid });
    expect((thrown as Error).message).toContain(`pid ${holder.pid}`);

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    await using store = await MachineStore.open(baseDir);
    expect(await store.list()).toEqual([]);
  });

  it('the same process cannot open one store twice either, and a closed store refuses work', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await expect(openStore(dir)).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED', holderPid: process.pid });
    await store.close();
    await expect(store.list()).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    const again = await openStore(dir);
    await again.close();
  });

  it('refuses to write a config it could not load back, and leaves nothing behind', async () => {
    await using store = await openStore();
    await expect(store.create({ name: 'bad', cpus: 0, memoryMb: 512, diskGb: 1 })).rejects.toMatchObject({
      code: 'ERR_MACHINE_CONFIG',
      message: expect.stringContaining('refusing to write: cpus: must be at least 1, found 0'),
    });
    await expect(store.create({ name: 'bad', ...base, memoryMb: 1.5 })).rejects.toThrow('memory_mb: expected an integer');
    expect(existsSync(path.join(store.baseDir, 'bad'))).toBe(false);
    await store.create({ name: 'good', ...base });
    await expect(store.update('good', (c) => ({ ...c, distro: 42 as unknown as string }))).rejects.toThrow('distro: expected a string');
    expect((await store.load('good')).config.distro).toBeUndefined();
  });

  it('save writes a config as given and fills createdAt once', async () => {
    await using store = await openStore();
    const config: MachineConfig = { name: 'plain' as MachineName, ...base, state: 'stopped' };
    const saved = await store.save(config);
    expect(saved.createdAt).toBeDefined();
    expect((await store.load('plain')).config).toEqual(saved);
  });
});
