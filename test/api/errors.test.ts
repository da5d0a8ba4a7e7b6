// Every error hostwire throws or rejects with has a string `code` and the
// right class: Node's ERR_* for bad arguments, errno names for system errors,
// the module's own ERR_* otherwise. A table of bad calls across the public
// API (root and every subpath export), then a sweep of every exported
// function and static factory with junk. Needs no root: nothing here gets as
// far as changing the kernel's state (route changes fail validation first).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rootApi from '../../src/index.js';
import * as dgramApi from '../../src/dgram/index.js';
import * as vlpApi from '../../src/vlp/index.js';
import * as heartbeatApi from '../../src/heartbeat/index.js';
import * as netlinkApi from '../../src/netlink/index.js';
import * as routingApi from '../../src/routing/index.js';
import * as machinesApi from '../../src/machines/index.js';
import * as ipcApi from '../../src/ipc/index.js';
import { abortError, systemError } from '../../src/common/errors.js';
import { abstractName } from '../helpers/tmp.js';

const {
  HeartbeatAgent: Agent,
  DgramError,
  DgramReceiver,
  DgramSender,
  ImmutableFieldError,
  InvalidInterfaceNameError,
  InvalidMacAddressError,
  InvalidMachineNameError,
  InvalidSubnetError,
  MachineConfigError,
  MachineExistsError,
  MachineNotFoundError,
  MachineStore,
  MachineStoreError,
  Netlink,
  NetlinkMonitor,
  NetlinkRouteExecutor,
  HeartbeatObserver: Observer,
  RouteError,
  RouteManager,
  RouteWatcher,
  StoreClosedError,
  StoreLockedError,
  SubnetTooWideError,
  VlpDecodeError,
  VlpEncodeError,
} = rootApi;

const CODE = /^(ERR_[A-Z0-9_]+|E[A-Z0-9]+|ABORT_ERR)$/;
type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs `call`: what it threw or rejected with, or what it returned. */
async function outcome(call: () => unknown): Promise<{ error: unknown } | { value: unknown }> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error };
  }
}

async function expectError(call: () => unknown, Class: ErrorClass, code: string): Promise<Error> {
  const result = await outcome(call);
  if (!('error' in result)) throw new Error(`expected ${Class.name} ${code}, but the call succeeded`);
  const err = result.error as NodeJS.ErrnoException;
  expect(err, `${String(err)}`).toBeInstanceOf(Class);
  expect(err.code, `${String(err)}`).toBe(code);
  expect(err.code).toMatch(CODE);
  return err;
}

const MAC = '02:00:00:00:00:01';
const frame = { version: 2, status: 0, pid: 4242, timestamp: 1n, nonce: 1n, payload: 0n } as const;
const machine = { name: 'web-01', cpus: 2, memoryMb: 2048, diskGb: 20 };

describe('every subpath export is reachable from the root with the same objects', () => {
  it("the root re-exports each subpath (hostwire/heartbeat's short aliases Agent and Observer excepted)", () => {
    const aliases = new Set(['Agent', 'Observer']);
    for (const api of [dgramApi, vlpApi, heartbeatApi, netlinkApi, routingApi, machinesApi, ipcApi]) {
      for (const [name, value] of Object.entries(api)) {
        if (api === heartbeatApi && aliases.has(name)) continue;
        expect((rootApi as Record<string, unknown>)[name], name).toBe(value);
      }
    }
  });
});

describe('the error factory', () => {
  it('builds errno errors from the name alone: number, message and syscall as Node has them', () => {
    const err = systemError({ code: 'ENODEV', syscall: 'RTM_GETLINK' });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ENODEV', errno: constants.errno.ENODEV, syscall: 'RTM_GETLINK' });
    expect(err.message).toBe('ENODEV: no such device, RTM_GETLINK');
  });

  it('builds errno errors from the number alone, with a path and a detail', () => {
    const err = systemError({ errno: constants.errno.ENAMETOOLONG, syscall: 'open', path: '/x', detail: 'File name too long' });
    expect(err).toMatchObject({ code: 'ENAMETOOLONG', errno: constants.errno.ENAMETOOLONG, path: '/x' });
    expect(err.message).toBe("ENAMETOOLONG: File name too long, open '/x'");
  });

  it('refuses a name that is not an errno', () => {
    expect(() => systemError({ code: 'ENOTANERRNO' })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });

  it('an abort is an AbortError with code ABORT_ERR and the reason as its cause', () => {
    const controller = new AbortController();
    controller.abort('why');
    expect(abortError(controller.signal)).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: 'why' });
  });
});

/** A private directory for a whole describe block (test/helpers' tempDir is removed after each test). */
function blockDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

describe('bad calls across the public API', () => {
  const where = blockDir('hostwire-api-errors-');
  let dir: string;
  beforeAll(() => {
    dir = where();
  });

  describe('dgram', () => {
    it('DgramSender.connect', async () => {
      await expectError(() => DgramSender.connect(''), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => DgramSender.connect(5 as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => DgramSender.connect(abstractName('s'), null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => DgramSender.connect(abstractName('s'), { sendBufferSize: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
      const missing = path.join(dir, 'nobody-here.sock');
      const err = await expectError(() => DgramSender.connect(missing, { requireObserver: true }), Error, 'ENOENT');
      expect(err).toMatchObject({ errno: constants.errno.ENOENT, syscall: 'connect', path: missing });
    });

    it('DgramSender methods, open and closed', async () => {
      const sender = DgramSender.connect(abstractName('s'));
      await expectError(() => sender.send('x' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => sender.send(Buffer.alloc(1), 5), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => (sender.sendBufferSize = -1), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => sender.waitWritable(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => sender.waitWritable({ signal: {} as AbortSignal }), TypeError, 'ERR_INVALID_ARG_TYPE');
      sender.close();
      await expectError(() => sender.waitWritable(), DgramError, 'ERR_SOCKET_CLOSED');
      await expectError(() => sender.reconnect(), Error, 'EBADF');
      await expectError(() => sender.sendBufferSize, Error, 'EBADF');
    });

    it('DgramReceiver.listen, and a bad option leaves no socket file behind', async () => {
      const file = path.join(dir, 'receiver.sock');
      await expectError(() => DgramReceiver.listen(''), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => DgramReceiver.listen(file, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => DgramReceiver.listen(file, { batchSize: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => DgramReceiver.listen(file, { mode: 'rw' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => DgramReceiver.listen(file, { onBatch: 5 as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => DgramReceiver.listen(file, { receiveBufferSize: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
      expect(existsSync(file)).toBe(false);
      const regular = path.join(dir, 'regular-file');
      writeFileSync(regular, 'not a socket');
      await expectError(() => DgramReceiver.listen(regular), Error, 'EEXIST');
      const receiver = DgramReceiver.listen(abstractName('r'));
      receiver.close();
      await expectError(() => receiver.receiveBufferSize, Error, 'EBADF');
    });
  });

  describe('vlp', () => {
    it('codecs and helpers', async () => {
      const {
        crc32c,
        decodeFrame,
        decodeInto,
        encodeFrame,
        encodeInto,
        kindOfResult,
        parseStatus,
        referenceCrc32c,
        referenceDecode,
        referenceEncode,
      } = vlpApi;
      await expectError(() => encodeFrame(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => encodeFrame({ ...frame, status: 3 } as never), VlpEncodeError, 'ERR_VLP_ENCODE');
      await expectError(() => encodeFrame({ ...frame, pid: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => referenceEncode({ ...frame, nonce: 'x' } as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => encodeInto(Buffer.alloc(3), 0, frame), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => decodeFrame(Buffer.alloc(5)), VlpDecodeError, 'ERR_VLP_DECODE');
      await expectError(() => decodeFrame('x' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => decodeFrame(Buffer.alloc(32), null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => referenceDecode(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => referenceDecode(Buffer.alloc(32)), VlpDecodeError, 'ERR_VLP_DECODE');
      await expectError(() => referenceCrc32c(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => crc32c('x' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => decodeInto(Buffer.alloc(32), 'x' as never, 32, new Uint32Array(11)), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => kindOfResult(0), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => kindOfResult('1' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => parseStatus('stall'), TypeError, 'ERR_VLP_INVALID_STATUS');
      await expectError(() => parseStatus(Symbol() as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    });
  });

  describe('heartbeat', () => {
    it('Agent.connect and its methods', async () => {
      await expectError(() => Agent.connect(''), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => Agent.connect(abstractName('a'), null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => Agent.connect(abstractName('a'), { version: 3 as never }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => Agent.connect(abstractName('a'), { reconnectAfter: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
      const agent = Agent.connect(abstractName('a'));
      await expectError(() => agent.beat('stall'), TypeError, 'ERR_VLP_INVALID_STATUS');
      await expectError(() => agent.beat(0, -1), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => agent.beat(0, 'x' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => agent.terminal(1.5), RangeError, 'ERR_OUT_OF_RANGE');
      agent.close();
      await expectError(() => agent.reconnect(), Error, 'EBADF');
    });

    it('Observer.listen options', async () => {
      const at = () => abstractName('o');
      await expectError(() => Observer.listen(''), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => Observer.listen(at(), null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => Observer.listen(at(), { stallAfterMs: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => Observer.listen(at(), { stallAfterMs: 'soon' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => Observer.listen(at(), { maxAgents: Infinity }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => Observer.listen(at(), { versions: [] }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => Observer.listen(at(), { allowedUids: 'root' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => Observer.listen(at(), { allowedUids: [-1] }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => Observer.listen(at(), { batchSize: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
    });

    it('nonceAdvances, renderPrometheus, sdNotify, startWatchdog', async () => {
      const { nonceAdvances, renderPrometheus, sdNotify, startWatchdog } = heartbeatApi;
      await expectError(() => nonceAdvances(Symbol() as never, 0, 0, 0), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => nonceAdvances(0, 0, 2 ** 32, 0), RangeError, 'ERR_OUT_OF_RANGE');
      expect(nonceAdvances(0, 1, 0, 2)).toBe(true);
      await expectError(() => renderPrometheus({} as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => sdNotify(undefined as never, { NOTIFY_SOCKET: abstractName('sd') }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => sdNotify('READY=1', null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => startWatchdog(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    });

    it('installPanicHook refuses bad signals before it installs anything', async () => {
      const { installPanicHook } = heartbeatApi;
      const listeners = () => ['SIGTERM', 'SIGINT', 'uncaughtExceptionMonitor'].map((e) => process.listenerCount(e));
      const before = listeners();
      const at = abstractName('p');
      await expectError(() => installPanicHook('', { fatalSignals: false }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => installPanicHook(at, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(
        () => installPanicHook(at, { signals: 'SIGTERM' as never, fatalSignals: false }),
        TypeError,
        'ERR_INVALID_ARG_TYPE',
      );
      await expectError(
        () => installPanicHook(at, { signals: ['SIGTERM', 'SIGNOPE' as never], fatalSignals: false }),
        TypeError,
        'ERR_UNKNOWN_SIGNAL',
      );
      await expectError(
        () => installPanicHook(at, { signals: ['SIGINT', 'SIGKILL'], fatalSignals: false }),
        TypeError,
        'ERR_INVALID_ARG_VALUE',
      );
      expect(listeners()).toEqual(before);
    });
  });

  describe('netlink (reads only; no root needed)', () => {
    it('Netlink.open', async () => {
      await expectError(() => Netlink.open(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => Netlink.open({ netns: '' }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => Netlink.open({ netns: 5 as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      const err = await expectError(() => Netlink.open({ netns: 'n'.repeat(5000) }), Error, 'ENAMETOOLONG');
      expect(err).toMatchObject({ errno: constants.errno.ENAMETOOLONG, syscall: 'open' });
    });

    it('Netlink methods, open and closed', async () => {
      const netlink = Netlink.open();
      try {
        await expectError(() => netlink.listRoutes(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => netlink.listRoutes({ table: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => netlink.listRoutes({ protocol: 'nope' }), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(
          () => netlink.listRoutes({ destinations: new Array(17).fill({ dst: '10.0.0.0', prefix: 8 }) }),
          RangeError,
          'ERR_OUT_OF_RANGE',
        );
        await expectError(() => netlink.listRoutesAsync({ signal: {} as AbortSignal }), TypeError, 'ERR_INVALID_ARG_TYPE');
        const aborted = await expectError(() => netlink.listRoutesAsync({ signal: AbortSignal.abort() }), Error, 'ABORT_ERR');
        expect(aborted.name).toBe('AbortError');
        await expectError(() => netlink.routesTo('10.0.0.x', 8), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(() => netlink.routesTo('10.0.0.0', 33), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => netlink.routesTo('10.0.0.0', 8, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => netlink.getRoute('10.0.0.0', 8, { table: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => netlink.lookupRoute(''), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(() => netlink.addRoute(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => netlink.replaceRoute({ dst: '10.0.0.0', prefix: 8, gateway: '::1' }), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(() => netlink.removeRoute({ dst: '10.0.0.0', prefix: 8, metric: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => netlink.linkByName(''), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(() => netlink.linkByIndex(0), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => netlink.listFdb(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        const nodev = await expectError(() => netlink.listFdb({ master: 'nosuchbr0' }), Error, 'ENODEV');
        expect(nodev.message).toBe('ENODEV: no interface named "nosuchbr0"');
        expect((nodev as NodeJS.ErrnoException).errno).toBe(constants.errno.ENODEV);
      } finally {
        netlink.close();
      }
      await expectError(() => netlink.listRoutes(), Error, 'EBADF');
      await expectError(() => netlink.listRoutesAsync(), Error, 'EBADF');
    });

    it('NetlinkMonitor.open checks its groups before the addon sees them', async () => {
      await expectError(() => NetlinkMonitor.open(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => NetlinkMonitor.open({ groups: 'link' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => NetlinkMonitor.open({ groups: ['routes' as never] }), TypeError, 'ERR_INVALID_ARG_VALUE');
      // Inherited keys are no group: once, "toString" reached the addon as a function and aborted the process.
      await expectError(() => NetlinkMonitor.open({ groups: ['toString' as never] }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => NetlinkMonitor.open({ groups: [1n as never] }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => NetlinkMonitor.open({ netns: 5 as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
    });

    it('fdbStateName', async () => {
      await expectError(() => netlinkApi.fdbStateName(Symbol() as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    });
  });

  describe('routing', () => {
    const {
      candidateSubnets,
      findBridgeByMac,
      isHostwireRoute,
      parseInterfaceName,
      parseMacAddress,
      parseSubnet,
      planRoutes,
      splitSubnet,
      subnetContains,
      subnetEquals,
    } = routingApi;

    it('parsers and subnet helpers', async () => {
      await expectError(() => parseSubnet('10.0.0.1/8'), InvalidSubnetError, 'ERR_INVALID_SUBNET');
      await expectError(() => parseSubnet(undefined), TypeError, 'ERR_INVALID_SUBNET');
      await expectError(() => parseInterfaceName(''), InvalidInterfaceNameError, 'ERR_INVALID_INTERFACE_NAME');
      await expectError(() => parseMacAddress('zz'), InvalidMacAddressError, 'ERR_INVALID_MAC_ADDRESS');
      await expectError(() => splitSubnet(parseSubnet('10.0.0.1/32')), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => splitSubnet({} as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => subnetEquals(parseSubnet('10.0.0.0/8'), '10.0.0.0/8' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => subnetContains(undefined as never, parseSubnet('10.0.0.0/8')), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => candidateSubnets(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => isHostwireRoute(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => findBridgeByMac({} as never, parseMacAddress(MAC)), TypeError, 'ERR_INVALID_ARG_TYPE');
    });

    it('planRoutes', async () => {
      const subnet = parseSubnet('172.16.0.0/12');
      const none = () => [];
      await expectError(() => planRoutes(subnet, 0, 'split', none), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => planRoutes(subnet, 1, 'merge' as never, none), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => planRoutes(subnet, 1, 'split', undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => planRoutes('172.16.0.0/12' as never, 1, 'split', none), TypeError, 'ERR_INVALID_ARG_TYPE');
      const foreign = [{ dst: '172.16.0.0', prefix: 12, protocol: 4, oif: 9 }] as never[];
      await expectError(
        () => planRoutes(subnet, 1, 'fail', (s) => (String(s) === String(subnet) ? foreign : [])),
        RouteError,
        'ERR_ROUTE_CONFLICT',
      );
    });

    it('RouteManager options, checked at construction', async () => {
      await expectError(() => new RouteManager(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => new RouteManager({ subnet: '0.0.0.0/0' }), SubnetTooWideError, 'ERR_SUBNET_TOO_WIDE');
      await expectError(() => new RouteManager({ subnet: '0.0.0.0/0' }), RangeError, 'ERR_SUBNET_TOO_WIDE');
      await expectError(() => new RouteManager({ subnet: 'x' }), InvalidSubnetError, 'ERR_INVALID_SUBNET');
      await expectError(() => new RouteManager({ policy: 'merge' as never }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => new RouteManager({ attempts: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => new RouteManager({ bridgeAttempts: '2' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => new RouteManager({ delayMs: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => new RouteManager({ allowWideSubnet: 'yes' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => new RouteManager({ logger: {} as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => new RouteManager({ netns: '' }), TypeError, 'ERR_INVALID_ARG_VALUE');
    });

    it('RouteManager methods refuse bad arguments before they read or change anything', async () => {
      const manager = new RouteManager();
      try {
        await expectError(() => manager.resolveBridgeByMac('zz'), InvalidMacAddressError, 'ERR_INVALID_MAC_ADDRESS');
        await expectError(() => manager.ensureRoute('zz'), InvalidMacAddressError, 'ERR_INVALID_MAC_ADDRESS');
        await expectError(() => manager.ensureRoute(MAC, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => manager.ensureRoute(MAC, { attempts: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => manager.ensureRoute(MAC, { signal: {} as AbortSignal }), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => manager.ensureRouteForBridge('a/b'), InvalidInterfaceNameError, 'ERR_INVALID_INTERFACE_NAME');
        await expectError(() => manager.ensureRouteForDevice('eth0', { delayMs: Infinity }), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => manager.reconcile(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => manager.watch(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => manager.watch({ mac: 'zz' }), InvalidMacAddressError, 'ERR_INVALID_MAC_ADDRESS');
        await expectError(() => manager.watch({ device: 'eth0' }, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => manager.watch({ device: 'eth0' }, { intervalMs: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => manager.watch({ device: 'eth0' }, { debounceMs: 2 ** 31 }), RangeError, 'ERR_OUT_OF_RANGE');
        await expectError(() => manager.watch({ device: 'eth0' }, { signal: 'stop' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      } finally {
        await manager.close();
      }
    });

    it('one-shot functions, the executor and the watcher', async () => {
      await expectError(() => routingApi.ensureRoute('zz'), InvalidMacAddressError, 'ERR_INVALID_MAC_ADDRESS');
      await expectError(() => routingApi.ensureRouteForDevice('eth0', { attempts: 1001 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => routingApi.resolveBridgeByMac(MAC, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => routingApi.removeRoute(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => routingApi.removeRoute({ policy: 'merge' as never }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => new NetlinkRouteExecutor(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => new NetlinkRouteExecutor({ netns: '..' }), TypeError, 'ERR_INVALID_ARG_VALUE');
      const executor = new NetlinkRouteExecutor();
      try {
        const subnet = parseSubnet('172.16.0.0/12');
        await expectError(
          () => executor.replaceRoute('172.16.0.0/12' as never, parseInterfaceName('lo')),
          TypeError,
          'ERR_INVALID_ARG_TYPE',
        );
        // A typo must not widen a removal to every owner's route.
        await expectError(() => executor.removeRoute(subnet, 'everyone' as never), TypeError, 'ERR_INVALID_ARG_VALUE');
        const nodev = await expectError(() => executor.replaceRoute(subnet, parseInterfaceName('nosuchdev0')), Error, 'ENODEV');
        expect((nodev as NodeJS.ErrnoException).errno).toBe(constants.errno.ENODEV);
      } finally {
        executor.close();
      }
      const manager = new RouteManager();
      try {
        await expectError(
          () => new RouteWatcher(undefined as never, { device: 'eth0' }, undefined as never, {}, rootApi.silentLogger),
          TypeError,
          'ERR_INVALID_ARG_TYPE',
        );
        await expectError(
          () => new RouteWatcher(manager, { device: 'eth0' }, undefined as never, null as never, rootApi.silentLogger),
          TypeError,
          'ERR_INVALID_ARG_TYPE',
        );
      } finally {
        await manager.close();
      }
    });
  });

  describe('machines', () => {
    const { decodeConfig, encodeConfig, parseMachineName } = machinesApi;
    let stores = 0;
    const storeDir = () => path.join(dir, `store-${++stores}`);

    it('names and config codecs', async () => {
      await expectError(() => parseMachineName('../x'), InvalidMachineNameError, 'ERR_INVALID_MACHINE_NAME');
      await expectError(() => parseMachineName(10n), InvalidMachineNameError, 'ERR_INVALID_MACHINE_NAME');
      await expectError(() => parseMachineName(Symbol()), TypeError, 'ERR_INVALID_MACHINE_NAME');
      await expectError(() => decodeConfig(undefined as never, '/x.toml'), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => decodeConfig('name = ', 5 as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => decodeConfig('name = ', '/x.toml'), MachineConfigError, 'ERR_MACHINE_CONFIG');
      await expectError(() => encodeConfig(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(
        () => encodeConfig({ ...machine, state: 'created', blockDevices: 'vda' } as never),
        TypeError,
        'ERR_INVALID_ARG_TYPE',
      );
      await expectError(
        () => encodeConfig({ ...machine, state: 'created', extra: { hook: () => 1 } } as never),
        TypeError,
        'ERR_INVALID_ARG_VALUE',
      );
    });

    it('MachineStore.open', async () => {
      await expectError(() => MachineStore.open(''), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => MachineStore.open(5 as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      const at = storeDir();
      await expectError(() => MachineStore.open(at, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => MachineStore.open(at, { maxConfigBytes: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => MachineStore.open(at, { lockWaitMs: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => MachineStore.open(at, { signal: {} as AbortSignal }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => MachineStore.open(at, { logger: 5 as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
      const file = path.join(dir, 'a-file');
      writeFileSync(file, '');
      await expectError(() => MachineStore.open(path.join(file, 'store')), Error, 'ENOTDIR');
      const held = await MachineStore.open(at, { durable: false });
      try {
        await expectError(() => MachineStore.open(at), StoreLockedError, 'ERR_STORE_LOCKED');
        await expectError(() => MachineStore.open(at), MachineStoreError, 'ERR_STORE_LOCKED');
      } finally {
        await held.close();
      }
    });

    it('MachineStore methods', async () => {
      const store = await MachineStore.open(storeDir(), { durable: false });
      try {
        await store.create(machine);
        await expectError(() => store.load('../x'), InvalidMachineNameError, 'ERR_INVALID_MACHINE_NAME');
        await expectError(() => store.load('missing'), MachineNotFoundError, 'ERR_MACHINE_NOT_FOUND');
        await expectError(() => store.create(undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => store.create(machine), MachineExistsError, 'ERR_MACHINE_EXISTS');
        await expectError(() => store.save(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(
          () => store.save({ ...machine, name: 'web-02' as never, state: 'created', cpus: 1.5 }),
          MachineConfigError,
          'ERR_MACHINE_CONFIG',
        );
        await expectError(() => store.update('web-01', 'stop' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
        await expectError(() => store.update('web-01', (c) => void (c.state = 'paused' as never)), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(() => store.update('web-01', (c) => void (c.state = 10n as never)), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(() => store.update('web-01', (c) => void (c.createdAt = 'now')), ImmutableFieldError, 'ERR_IMMUTABLE_FIELD');
        await expectError(() => store.updateState('web-01', 'paused' as never), TypeError, 'ERR_INVALID_ARG_VALUE');
        await expectError(() => store.remove('missing'), MachineNotFoundError, 'ERR_MACHINE_NOT_FOUND');
        await expectError(() => store.quarantine('missing'), MachineNotFoundError, 'ERR_MACHINE_NOT_FOUND');
      } finally {
        await store.close();
      }
    });

    it('a closed store refuses every read and write with StoreClosedError, and removes nothing', async () => {
      const at = storeDir();
      const store = await MachineStore.open(at, { durable: false });
      await store.create(machine);
      await store.close();
      const closed = [
        () => store.list(),
        () => store.load('web-01'),
        () => store.loadAll(),
        () => store.create({ ...machine, name: 'web-02' }),
        () => store.save({ ...machine, name: 'web-02' as never, state: 'created' }),
        () => store.update('web-01', () => {}),
        () => store.updateState('web-01', 'running'),
        () => store.remove('web-01'),
        () => store.quarantine('web-01'),
        () => store.recoverInterrupted(),
      ];
      for (const call of closed) {
        const err = await expectError(call, StoreClosedError, 'ERR_STORE_CLOSED');
        expect(err).toBeInstanceOf(MachineStoreError);
        expect(err.name).toBe('StoreClosedError');
      }
      expect(existsSync(path.join(at, 'web-01', 'config.toml'))).toBe(true);
    });
  });
});

describe('bad calls: ipc', () => {
  const where = blockDir('hostwire-api-ipc-');
  const { IpcClient, IpcServer, IpcFrameDecoder, encodeIpcFrame, IpcError, IpcRemoteError } = ipcApi;

  it('IpcServer.listen', async () => {
    const place = path.join(where(), 'ipc.sock');
    await expectError(() => IpcServer.listen('', { methods: {} }), TypeError, 'ERR_INVALID_ARG_VALUE');
    await expectError(() => IpcServer.listen('@abstract', { methods: {} }), TypeError, 'ERR_INVALID_ARG_VALUE');
    await expectError(() => IpcServer.listen(place, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    await expectError(() => IpcServer.listen(place, {} as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    await expectError(
      () => IpcServer.listen(place, { methods: { m: { params: {}, handler: () => 1 } as never } }),
      TypeError,
      'ERR_INVALID_ARG_VALUE',
    );
    await expectError(() => IpcServer.listen(place, { methods: { 'hostwire.hello': {} as never } }), TypeError, 'ERR_INVALID_ARG_VALUE');
    await expectError(() => IpcServer.listen(place, { methods: {}, maxConcurrent: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
    await expectError(() => IpcServer.listen(place, { methods: {}, writeTimeoutMs: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
    await expectError(() => IpcServer.listen(place, { methods: {}, mode: 0o1777 }), RangeError, 'ERR_OUT_OF_RANGE');
    await expectError(() => IpcServer.listen(place, { methods: {}, maxFrameBytes: 2 ** 32 }), RangeError, 'ERR_OUT_OF_RANGE');
    await expectError(() => IpcServer.listen(place, { methods: {}, authorize: 'yes' as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
    await expectError(() => IpcServer.listen(place, { methods: {}, logger: {} as never }), TypeError, 'ERR_INVALID_ARG_TYPE');
    await expectError(() => IpcServer.listen(path.join(where(), 'no', 'dir.sock'), { methods: {} }), Error, 'ENOENT');
    expect(existsSync(place)).toBe(false);
  });

  it('IpcClient.connect and its calls', async () => {
    const place = path.join(where(), 'client.sock');
    await expectError(() => IpcClient.connect(5 as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    await expectError(() => IpcClient.connect(place, { connectTimeoutMs: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
    await expectError(() => IpcClient.connect(place, { maxInFlight: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
    await expectError(() => IpcClient.connect(place), Error, 'ENOENT');
    const server = await IpcServer.listen(place, { methods: {} });
    try {
      const client = await IpcClient.connect(place, { maxFrameBytes: 200 });
      await expectError(() => client.request(5 as never), TypeError, 'ERR_INVALID_ARG_TYPE');
      await expectError(() => client.request('m', {}, { timeoutMs: 2 ** 31 }), RangeError, 'ERR_OUT_OF_RANGE');
      await expectError(() => client.request('m', { n: 1n }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await expectError(() => client.request('m', ['x'.repeat(300)]), IpcError, 'ERR_IPC_FRAME_TOO_LARGE');
      await expectError(() => client.request('m'), IpcRemoteError, 'ERR_IPC_METHOD_NOT_FOUND');
      client.close();
      await expectError(() => client.request('m'), IpcError, 'ERR_IPC_CLOSED');
      await expectError(() => client.notify('m'), IpcError, 'ERR_IPC_CLOSED');
    } finally {
      await server.close();
    }
  });

  it('frames', async () => {
    await expectError(() => new IpcFrameDecoder(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    await expectError(() => encodeIpcFrame({}, 1), RangeError, 'ERR_OUT_OF_RANGE');
    await expectError(() => encodeIpcFrame(Symbol()), TypeError, 'ERR_INVALID_ARG_VALUE');
  });
});

// ── the sweep ───────────────────────────────────────────────────────────────

const JUNK: readonly unknown[] = [undefined, null, Symbol('junk'), {}, [], '', -1, 1.5, NaN, 2n ** 70n, true, () => {}];

// Classes whose constructor is private in TypeScript (made by a static
// factory), and error classes: neither is an API call to make with junk.
const NOT_CONSTRUCTED = new Set<unknown>([
  Agent,
  DgramReceiver,
  DgramSender,
  MachineStore,
  Netlink,
  NetlinkMonitor,
  Observer,
  ipcApi.IpcServer,
  ipcApi.IpcClient,
]);
// Calls that, given arguments that happen to be valid, act on the host beyond
// this test: removeRoute() with default options removes hostwire's routes
// from the host's own table; installPanicHook() with a valid path installs a
// native fatal-signal handler for the life of the process. Their bad
// arguments are covered by the table above.
const ONLY_FIRST_ARGUMENT = new Set<unknown>([heartbeatApi.installPanicHook]);
const SKIPPED = new Set<unknown>([routingApi.removeRoute]);

function describeArg(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Closes whatever a call that succeeded opened. */
async function release(value: unknown): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  const v = value as { close?: () => unknown; stop?: () => unknown; uninstall?: () => unknown };
  if (typeof v.close === 'function') await v.close();
  else if (typeof v.stop === 'function') v.stop();
  else if (typeof v.uninstall === 'function') v.uninstall();
}

describe('sweep: every exported function, constructor and static factory, with junk', () => {
  const failures: string[] = [];
  let calls = 0;
  let errors = 0;
  const dir = blockDir('hostwire-api-sweep-');

  const isClass = (f: Function): boolean => /^class[\s{]/.test(Function.prototype.toString.call(f));
  const exported = Object.entries(rootApi).filter(([, value]) => typeof value === 'function') as [string, Function][];

  it('finds what to call', () => {
    expect(exported.length).toBeGreaterThan(40);
  });

  it('every error thrown or rejected has a string code', async () => {
    const probe = async (label: string, call: () => unknown) => {
      calls++;
      const result = await outcome(call);
      if ('value' in result) {
        await release(result.value);
        return;
      }
      errors++;
      const err = result.error as { code?: unknown } | null;
      const ok = err instanceof Error && typeof err.code === 'string' && CODE.test(err.code);
      if (!ok) failures.push(`${label}: ${inspect(err)}`); // a thrown plain object shows its fields
    };
    // A path inside this test's directory: calls that succeed bind and create only there.
    const place = (name: string) => path.join(dir(), name);
    for (const [name, fn] of exported) {
      if (SKIPPED.has(fn)) continue;
      const callers: [string, (...args: unknown[]) => unknown][] = [];
      if (!isClass(fn)) {
        callers.push([name, (...args) => fn(...args)]);
      } else {
        if (!NOT_CONSTRUCTED.has(fn) && !(fn.prototype instanceof Error) && fn !== Error) {
          callers.push([`new ${name}`, (...args) => new (fn as new (...a: unknown[]) => unknown)(...args)]);
        }
        for (const key of Object.getOwnPropertyNames(fn)) {
          const method = (fn as unknown as Record<string, unknown>)[key];
          if (typeof method === 'function' && !isClass(method)) callers.push([`${name}.${key}`, (...args) => method.apply(fn, args)]);
        }
      }
      for (const [label, call] of callers) {
        for (const junk of JUNK) {
          await probe(`${label}(${describeArg(junk)})`, () => call(junk));
          await probe(`${label}(${describeArg(junk)}, ${describeArg(junk)})`, () => call(junk, junk));
          if (!ONLY_FIRST_ARGUMENT.has(fn)) {
            await probe(`${label}(<path>, ${describeArg(junk)})`, () => call(place(`${name}.sock`), junk));
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // The sweep is only worth something if it makes the API throw a lot.
    expect(errors).toBeGreaterThan(calls / 2);
  });
});
