import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
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
import { itAsRoot } from '../helpers/root.js';
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
    expect(errors[2]!.error.message).toContain('cpus: "two" is a string, not an integer');
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
    holder.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
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
    const second = (await openStore(dir).then(
      () => null,
      (err: unknown) => err,
    )) as StoreLockedError;
    expect(second).toMatchObject({ code: 'ERR_STORE_LOCKED', holderPid: process.pid });
    expect(second.message).toContain('is already open in this process');
    expect(second.message).not.toContain('another process');
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
    await expect(store.create({ name: 'bad', ...base, memoryMb: 1.5 })).rejects.toThrow(
      'refusing to write: memory_mb: 1.5 is not an integer',
    );
    await expect(store.create({ name: 'bad', ...base, memoryMb: 2 ** 53 })).rejects.toThrow(
      'refusing to write: memory_mb: 9007199254740992 is larger than 2^53-1',
    );
    await expect(store.create({ name: 'bad', ...base, diskGb: Number.NaN })).rejects.toThrow(
      'refusing to write: disk_gb: nan is not an integer',
    );
    await expect(store.create({ name: 'bad', ...base, cpus: '2' as unknown as number })).rejects.toThrow(
      'refusing to write: cpus: "2" is a string, not an integer',
    );
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

/** Starts test/fixtures/hold-store.ts on `baseDir` and waits until it holds the store. */
async function holdStore(baseDir: string): Promise<ChildProcess> {
  const holder = startFixture('hold-store.ts', [baseDir]);
  let out = '';
  holder.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await expect.poll(() => out.includes('ready') || holder.exitCode !== null, { timeout: 15_000 }).toBe(true);
  expect(holder.exitCode).toBeNull();
  return holder;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

describe('MachineStore lock', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map(stop));
  });

  it.each([
    ['deleted', (lockFile: string) => rmSync(lockFile)],
    [
      'replaced by another file',
      (lockFile: string) => {
        writeFileSync(`${lockFile}.new`, '1\n');
        renameSync(`${lockFile}.new`, lockFile);
      },
    ],
  ])('holds while its pid file is %s: a second process is still refused', async (_how, tamper) => {
    const baseDir = path.join(tempDir(), 'machines');
    const holder = await holdStore(baseDir);
    children.push(holder);
    const lockFile = path.join(baseDir, '.hostwire-machines.lock');
    expect(readFileSync(lockFile, 'utf8')).toBe(`${holder.pid}\n`);
    tamper(lockFile);
    const err = await MachineStore.open(baseDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect(err).toMatchObject({ code: 'ERR_STORE_LOCKED', holderPid: holder.pid });
    expect((err as Error).message).toContain(`another process (pid ${holder.pid})`);
    await stop(holder);
    await using store = await MachineStore.open(baseDir);
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('lockWaitMs: an open waits for the holder to go, or gives up naming it', async () => {
    const baseDir = path.join(tempDir(), 'machines');
    const holder = await holdStore(baseDir);
    children.push(holder);
    const refused = await MachineStore.open(baseDir, { lockWaitMs: 300 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'ERR_STORE_LOCKED', holderPid: holder.pid, waitedMs: 300 });
    expect((refused as Error).message).toContain('gave up after waiting 300 ms');

    const waiting = MachineStore.open(baseDir, { lockWaitMs: 20_000 });
    setTimeout(() => holder.kill('SIGKILL'), 200);
    await using store = await waiting;
    expect(await store.list()).toEqual([]);
  });

  it('lockWaitMs within one process: the second open proceeds once the first store closes', async () => {
    const baseDir = path.join(tempDir(), 'machines');
    const first = await MachineStore.open(baseDir, { durable: false });
    const second = MachineStore.open(baseDir, { durable: false, lockWaitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 50));
    await first.create({ name: 'one', ...base });
    await first.close();
    await using store = await second;
    expect(await store.list()).toEqual(['one']);
  });

  it('an AbortSignal ends the wait with an AbortError whose cause is its reason', async () => {
    const baseDir = path.join(tempDir(), 'machines');
    await using first = await MachineStore.open(baseDir, { durable: false });
    const reason = new Error('shutting down');
    const aborted = { name: 'AbortError', code: 'ABORT_ERR', cause: reason };
    const controller = new AbortController();
    const waiting = MachineStore.open(baseDir, { lockWaitMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(waiting).rejects.toMatchObject(aborted);
    await expect(MachineStore.open(baseDir, { signal: AbortSignal.abort(reason) })).rejects.toMatchObject(aborted);
    expect(await first.list()).toEqual([]);
  });

  it.each([
    [{ lockWaitMs: -1 }, 'ERR_OUT_OF_RANGE'],
    [{ lockWaitMs: 2 ** 31 }, 'ERR_OUT_OF_RANGE'],
    [{ lockWaitMs: 1.5 }, 'ERR_OUT_OF_RANGE'],
    [{ lockWaitMs: '100' }, 'ERR_INVALID_ARG_TYPE'],
    [{ maxConfigBytes: 0 }, 'ERR_OUT_OF_RANGE'],
    [{ maxConfigBytes: 2 ** 30 + 1 }, 'ERR_OUT_OF_RANGE'],
    [{ maxConfigBytes: Number.NaN }, 'ERR_OUT_OF_RANGE'],
    [{ signal: 'stop' }, 'ERR_INVALID_ARG_TYPE'],
  ])('refuses the option %o with %s before touching the filesystem', async (options, code) => {
    const baseDir = path.join(tempDir(), 'machines');
    await expect(MachineStore.open(baseDir, options as never)).rejects.toMatchObject({ code });
    expect(existsSync(baseDir)).toBe(false);
  });
});

describe('MachineStore loads: bounded, never silent', () => {
  // Before the reads were bounded, a FIFO config blocked a threadpool thread in open(2) forever.
  // Opening the FIFO for writing releases such a reader, so a regression fails by timeout, not a hung run.
  const fifos: string[] = [];
  afterEach(() => {
    for (const fifo of fifos.splice(0)) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody is blocked reading it.
      }
    }
  });

  /** A store with a valid machine "good", plus `plant(baseDir)` laying out the bad ones. */
  async function storeWith(plant: (baseDir: string, outside: string) => void, options = {}): Promise<MachineStore> {
    const dir = tempDir();
    const store = await MachineStore.open(path.join(dir, 'machines'), { durable: false, ...options });
    await store.create({ name: 'good', ...base });
    const outside = path.join(dir, 'outside');
    mkdirSync(outside);
    plant(store.baseDir, outside);
    return store;
  }

  /** A valid config for `name`, as text. */
  function configText(name: string, padding = ''): string {
    return `name = "${name}"\ncpus = 1\nmemory_mb = 512\ndisk_gb = 1\nstate = "stopped"\n${padding}`;
  }

  async function expectRefused(store: MachineStore, name: string, code: string, where: string, detail: RegExp): Promise<void> {
    const { machines, errors } = await store.loadAll();
    expect(machines.map((m) => m.config.name)).toEqual(['good']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name, path: where });
    expect(errors[0]!.error).toBeInstanceOf(MachineConfigError);
    expect(errors[0]!.error).toMatchObject({ code, path: where });
    expect(errors[0]!.error.message).toMatch(detail);
    const thrown = await store.load(name).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(MachineConfigError);
    expect(thrown).toMatchObject({ code, path: where });
    expect((await store.load('good')).config.name).toBe('good');
  }

  it('a FIFO config is refused at once, not waited on', { timeout: 10_000 }, async () => {
    await using store = await storeWith((baseDir) => {
      mkdirSync(path.join(baseDir, 'fifo'));
      const fifo = path.join(baseDir, 'fifo', 'config.toml');
      execFileSync('mkfifo', [fifo]);
      fifos.push(fifo);
    });
    await expectRefused(
      store,
      'fifo',
      'ERR_MACHINE_CONFIG_NOT_REGULAR',
      path.join(store.baseDir, 'fifo', 'config.toml'),
      /: is a fifo, not a regular file/,
    );
  });

  itAsRoot(
    'a character device config (mknod) is refused without reading it',
    async () => {
      await using store = await storeWith((baseDir) => {
        mkdirSync(path.join(baseDir, 'zero'));
        execFileSync('mknod', [path.join(baseDir, 'zero', 'config.toml'), 'c', '1', '5'], { stdio: 'ignore' }); // /dev/zero's numbers
      });
      await expectRefused(
        store,
        'zero',
        'ERR_MACHINE_CONFIG_NOT_REGULAR',
        path.join(store.baseDir, 'zero', 'config.toml'),
        /is a character device/,
      );
    },
    { commands: ['mknod'] },
  );

  it('a config that is a symlink to /dev/zero is refused, not read', async () => {
    await using store = await storeWith((baseDir) => {
      mkdirSync(path.join(baseDir, 'zero'));
      symlinkSync('/dev/zero', path.join(baseDir, 'zero', 'config.toml'));
    });
    await expectRefused(
      store,
      'zero',
      'ERR_MACHINE_CONFIG_SYMLINK',
      path.join(store.baseDir, 'zero', 'config.toml'),
      /: is a symbolic link/,
    );
  });

  it('a config that is a symlink to a valid config outside the store is refused, not followed', async () => {
    await using store = await storeWith((baseDir, outside) => {
      writeFileSync(path.join(outside, 'alias.toml'), configText('alias'));
      mkdirSync(path.join(baseDir, 'alias'));
      symlinkSync(path.join(outside, 'alias.toml'), path.join(baseDir, 'alias', 'config.toml'));
    });
    await expectRefused(
      store,
      'alias',
      'ERR_MACHINE_CONFIG_SYMLINK',
      path.join(store.baseDir, 'alias', 'config.toml'),
      /: is a symbolic link/,
    );
  });

  it('a machine directory that is a symlink is reported, not skipped or followed', async () => {
    await using store = await storeWith((baseDir, outside) => {
      writeFileSync(path.join(outside, 'config.toml'), configText('linked'));
      symlinkSync(outside, path.join(baseDir, 'linked'));
    });
    await expectRefused(store, 'linked', 'ERR_MACHINE_CONFIG_SYMLINK', path.join(store.baseDir, 'linked'), /linked: is a symbolic link/);
  });

  it('a config larger than maxConfigBytes (default 1 MiB) is refused; the limit is an option', async () => {
    const padding = `# ${'x'.repeat(2 * 1024 * 1024)}\n`; // valid TOML: a 2 MiB comment
    await using store = await storeWith((baseDir) => {
      mkdirSync(path.join(baseDir, 'huge'));
      writeFileSync(path.join(baseDir, 'huge', 'config.toml'), configText('huge', padding));
    });
    const file = path.join(store.baseDir, 'huge', 'config.toml');
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(2 * 1024 * 1024);
    await expectRefused(
      store,
      'huge',
      'ERR_MACHINE_CONFIG_TOO_LARGE',
      file,
      new RegExp(`: is ${size} bytes; the limit is 1048576 bytes \\(maxConfigBytes\\)$`),
    );
    await store.close();

    await using roomy = await MachineStore.open(store.baseDir, { maxConfigBytes: 4 * 1024 * 1024 });
    expect((await roomy.loadAll()).machines.map((m) => m.config.name)).toEqual(['good', 'huge']);
    await roomy.close();
    await using tight = await MachineStore.open(store.baseDir, { maxConfigBytes: 64 });
    const { machines, errors } = await tight.loadAll();
    expect(machines).toEqual([]);
    expect(errors.map((e) => [e.name, (e.error as MachineConfigError).code])).toEqual([
      ['good', 'ERR_MACHINE_CONFIG_TOO_LARGE'],
      ['huge', 'ERR_MACHINE_CONFIG_TOO_LARGE'],
    ]);
  });
});
