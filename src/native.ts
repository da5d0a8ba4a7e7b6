// Loads the addon (a prebuild from prebuilds/<platform>-<arch>/ when one
// matches, else the local build) and gives it types. Everything native is
// reached through here.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(import.meta.url);
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = require('node-gyp-build') as (dir: string) => unknown;

/** Native handle of a datagram sender; see src/dgram/sender.ts. */
export interface NativeDgramSender {
  /** Bound to its socket (native/common/bound_method.h): the hot path calls it detached. */
  send(this: void, data: Uint8Array, offset?: number, length?: number): number;
  reconnect(): void;
  close(): void;
  waitWritable(callback: (err: Error | null) => void): void;
  cancelWait(): void;
  ref(): void;
  unref(): void;
  readonly state: number;
  readonly fd: number;
  sendBufferSize: number;
}

/** Native handle of a datagram receiver; see src/dgram/receiver.ts. */
export interface NativeDgramReceiver {
  start(): void;
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
  /** The batch buffers; null once closed (the addon drops its references). */
  readonly data: Uint8Array;
  readonly meta: Int32Array;
  readonly fd: number;
  readonly fdsClosed: number;
  readonly truncated: number;
  receiveBufferSize: number;
}

export interface NativeDgramReceiverOptions {
  path: string;
  mode: number;
  credentials: boolean;
  batchSize: number;
  messageSize: number;
  onBatch: (count: number) => void;
  onError: (err: Error) => void;
}

/**
 * Frozen objects of numbers the addon exports (native/common/constants.h):
 * layouts, op codes and flags, defined once in C++. TypeScript reads each one
 * when its module loads and never writes a copy of the number itself.
 */
type Numbers<K extends string> = { readonly [key in K]: number };

export interface NativeDgramConstants {
  /** One datagram's slots in the receiver's `meta` Int32Array; `stride` slots per datagram. */
  receiveMeta: Numbers<'length' | 'flags' | 'pid' | 'uid' | 'gid' | 'stride'>;
  /** Bits of the `flags` slot. */
  receiveFlag: Numbers<'truncated' | 'controlTruncated' | 'fdsClosed'>;
  /** The outcome in a send result's low bits. */
  sendOutcome: Numbers<'sent' | 'queueFull' | 'noObserver' | 'peerGone' | 'storageFull' | 'failed'>;
  /** A send result is `outcome | errno << errnoShift`. */
  sendResult: Numbers<'outcomeMask' | 'errnoShift'>;
  /** NativeDgramSender.state. */
  senderState: Numbers<'pending' | 'connected' | 'disconnected' | 'closed'>;
}

/** The packed records the netlink calls return: byte offsets, sizes and bits (native/netlink/records.h). */
export interface NativeRecordLayout {
  kind: Numbers<'route' | 'link' | 'fdb' | 'overrun'>;
  action: Numbers<'listed' | 'new' | 'deleted'>;
  header: Numbers<'size' | 'kind' | 'action' | 'length'>;
  route: Numbers<
    | 'size'
    | 'family'
    | 'prefix'
    | 'protocol'
    | 'scope'
    | 'type'
    | 'bits'
    | 'table'
    | 'oif'
    | 'metric'
    | 'dst'
    | 'gateway'
    | 'prefsrc'
    | 'hasGateway'
    | 'hasPrefsrc'
    | 'hasMetric'
    | 'multipath'
  >;
  link: Numbers<
    'size' | 'index' | 'flags' | 'mtu' | 'master' | 'operstate' | 'macLength' | 'nameLength' | 'kindLength' | 'name' | 'kind' | 'mac'
  >;
  fdb: Numbers<'size' | 'ifindex' | 'master' | 'vlan' | 'state' | 'flags' | 'bits' | 'dstFamily' | 'mac' | 'dst' | 'hasMac'>;
}

export interface NativeNetlinkConstants {
  record: NativeRecordLayout;
  routeOp: Numbers<'add' | 'replace' | 'remove'>;
  /** Slots of changeRoute()'s Uint32Array (`length` of them) and the bits of its `bits` slot. */
  routeChange: Numbers<
    'op' | 'prefix' | 'table' | 'protocol' | 'scope' | 'type' | 'oif' | 'metric' | 'bits' | 'length' | 'hasOif' | 'hasMetric'
  >;
  /** From <linux/rtnetlink.h>: the numbers the route defaults in src/netlink/netlink.ts use. */
  kernel: Numbers<
    | 'RT_TABLE_MAIN'
    | 'RTPROT_UNSPEC'
    | 'RTPROT_BOOT'
    | 'RT_SCOPE_UNIVERSE'
    | 'RT_SCOPE_LINK'
    | 'RT_SCOPE_NOWHERE'
    | 'RTN_UNSPEC'
    | 'RTN_UNICAST'
  >;
}

export interface NativeVlpConstants {
  /** Slots of decodeInto()'s Uint32Array (`count` of them). */
  decodeSlot: Numbers<
    | 'version'
    | 'status'
    | 'pid'
    | 'timestampLo'
    | 'timestampHi'
    | 'nonceLo'
    | 'nonceHi'
    | 'payloadLo'
    | 'payloadHi'
    | 'crcExpected'
    | 'crcActual'
    | 'count'
  >;
  /** The field an encodeInto() field error names (its `fieldMask` bits). */
  encodeField: Numbers<'version' | 'status' | 'pid' | 'timestamp' | 'nonce' | 'payload'>;
  /** encodeInto() field errors: `type | field` or `range | field`. */
  fieldError: Numbers<'fieldMask' | 'type' | 'range'>;
  /** Result codes, by the VLP spec's names. */
  result: Numbers<
    'Ok' | 'BadLength' | 'BadMagic' | 'BadVersion' | 'BadCrc' | 'BadStatus' | 'StallOnWire' | 'BadPid' | 'BadTimestamp' | 'BadNonce'
  >;
}

/**
 * Route filter of a dump: a field left out matches any route. destinations:
 * "address/prefix" texts, at most 16.
 */
export interface NativeRouteFilter {
  family?: 4 | 6;
  table?: number;
  protocol?: number;
  oif?: number;
  destinations?: string[];
}

/** Native rtnetlink request socket (native/netlink/netlink.h); see src/netlink/netlink.ts. */
export interface NativeNetlink {
  /**
   * Adds, replaces or removes a route: `change` holds the numbers, in the
   * slots of constants.routeChange (packed: this is a hot path), sent to the
   * kernel as they are. False only for the removal of an absent route.
   */
  changeRoute(this: void, change: Uint32Array, dst: string, gateway: string | null): boolean;
  // The rest return packed records; see native/netlink/records.h and src/netlink/records.ts.
  routes(filter: NativeRouteFilter): ArrayBuffer;
  /** The same dump on the threadpool, on a socket of its own; calls back once on the loop. Returns a cancel function. */
  routesAsync(filter: NativeRouteFilter, callback: (err: Error | null, records?: ArrayBuffer) => void): () => void;
  lookupRoute(address: string): ArrayBuffer;
  links(): ArrayBuffer;
  link(nameOrIndex: string | number): ArrayBuffer;
  fdb(this: void, master: number): ArrayBuffer;
  close(): void;
  readonly netns: string | null;
  readonly fd: number;
  /** The receive buffer held now: 64 KB while open, 0 once closed. */
  readonly bufferBytes: number;
}

export interface NativeNetlinkMonitor {
  start(): void;
  close(): void;
  ref(): void;
  unref(): void;
  readonly netns: string | null;
}

export interface NativeAddon {
  dgram: {
    DgramSender: new (path: string, requirePeer: boolean) => NativeDgramSender;
    DgramReceiver: new (options: NativeDgramReceiverOptions) => NativeDgramReceiver;
    classifySendErrno(this: void, errno: number, wasConnected: boolean): number;
    constants: NativeDgramConstants;
  };
  vlp: NativeVlp;
  netlink: {
    Netlink: {
      new (netns: string | null): NativeNetlink;
      /** V8's count of external memory as addons report it (not in process.memoryUsage()); for tests. */
      externalMemory(): number;
    };
    NetlinkMonitor: new (
      netns: string | null,
      groups: number[],
      onRecords: (records: ArrayBuffer) => void,
      onError: (err: Error) => void,
    ) => NativeNetlinkMonitor;
    groups: { link: number; neigh: number; ipv4Route: number; ipv6Route: number };
    constants: NativeNetlinkConstants;
  };
  heartbeat: {
    HeartbeatAgent: { new (sender: NativeDgramSender, version: number): NativeHeartbeatAgent; readonly INVALID_STATUS: number };
    installFatalSignalHook(path: string, version: number): void;
  };
  sys: {
    /** Non-blocking flock(2); false when another open file description holds it. */
    tryLock(fd: number, exclusive: boolean): boolean;
    unlock(fd: number): void;
    /** Atomic replace in one threadpool trip: temp (O_EXCL, mode) → write → fsync → rename → fsync dir. */
    replaceFile(path: string, data: string | Uint8Array, mode: number, durable: boolean): Promise<void>;
    /** SO_PEERCRED of a connected Unix stream socket: the peer as the kernel saw it at connect(). */
    peerCredentials(fd: number): { pid: number; uid: number; gid: number };
    /**
     * Reads many files in one threadpool trip; a failed read is an Error in its slot.
     * With `maxBytes`, refuses non-regular files and files over the cap (reading at
     * most cap + 1 bytes); with `base`, paths are relative to it and no symlink is followed.
     */
    readFiles(this: void, paths: string[], options?: { maxBytes: number; base?: string }): Promise<(Buffer | NodeJS.ErrnoException)[]>;
  };
}

export interface NativeVlp {
  // Positional, unlike the other calls with many arguments: encodeInto() is a
  // hot path, and an options object would cost an allocation per frame.
  encodeInto(
    out: Uint8Array,
    offset: number,
    version: number,
    status: number,
    pid: number,
    timestamp: number | bigint,
    nonce: number | bigint,
    payload: number | bigint,
  ): number;
  decodeInto(bytes: Uint8Array, offset: number, length: number, fields: Uint32Array, strictV2?: boolean): number;
  crc32c(data: Uint8Array): number;
  crc32cTable(data: Uint8Array): number;
  readonly crc32cHardware: boolean;
  readonly crc32cImplementation: 'sse4.2' | 'armv8-crc' | 'table';
  readonly constants: NativeVlpConstants;
}

export interface NativeHeartbeatAgent {
  /** Encode + send in one call: dgram result, or INVALID_STATUS. */
  beat(this: void, status: number, payload?: number): number;
  /** Critical + NONCE_TERMINAL. */
  terminal(payload?: number): number;
  setNonce(nonce: bigint): void;
  readonly nonce: bigint;
  readonly regressions: number;
  readonly pid: number;
}

export const native = load(packageRoot) as NativeAddon;
