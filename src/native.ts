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
  send(data: Uint8Array, offset?: number, length?: number): number;
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

export interface NativeDgramReceiverClass {
  new (
    path: string,
    mode: number,
    credentials: boolean,
    batchSize: number,
    messageSize: number,
    onBatch: (count: number) => void,
    onError: (err: Error) => void,
  ): NativeDgramReceiver;
  readonly META_FIELDS: number;
  readonly FLAG_TRUNCATED: number;
  readonly FLAG_CONTROL_TRUNCATED: number;
  readonly FLAG_FDS_CLOSED: number;
}

/** Native rtnetlink request socket (native/netlink/netlink.h); see src/netlink/netlink.ts. */
export interface NativeNetlink {
  /** op 0 add, 1 replace, 2 delete; -1 = default. False only for a delete of an absent route. */
  changeRoute(
    op: number,
    dst: string,
    prefix: number,
    oif: number,
    gateway: string | null,
    table: number,
    protocol: number,
    scope: number,
    metric: number,
    type: number,
  ): boolean;
  // The rest return packed records; see native/netlink/records.h and src/netlink/records.ts.
  /** protocol -1 / oif 0: any; destinations: "address/prefix" texts (at most 16), or null for every destination. */
  routes(family: number, table: number, protocol: number, oif: number, destinations: string[] | null): ArrayBuffer;
  /** The same dump on the threadpool, on a socket of its own; calls back once on the loop. Returns a cancel function. */
  routesAsync(
    family: number,
    table: number,
    protocol: number,
    oif: number,
    destinations: string[] | null,
    callback: (err: Error | null, records?: ArrayBuffer) => void,
  ): () => void;
  lookupRoute(address: string): ArrayBuffer;
  links(): ArrayBuffer;
  link(nameOrIndex: string | number): ArrayBuffer;
  fdb(master: number): ArrayBuffer;
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
    DgramReceiver: NativeDgramReceiverClass;
    classifySendErrno(errno: number, wasConnected: boolean): number;
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
    /**
     * Reads many files in one threadpool trip; a failed read is an Error in its slot.
     * With `maxBytes`, refuses non-regular files and files over the cap (reading at
     * most cap + 1 bytes); with `base`, paths are relative to it and no symlink is followed.
     */
    readFiles(paths: string[], options?: { maxBytes: number; base?: string }): Promise<(Buffer | NodeJS.ErrnoException)[]>;
  };
}

export interface NativeVlp {
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
}

export interface NativeHeartbeatAgent {
  /** Encode + send in one call: dgram result, or INVALID_STATUS. */
  beat(status: number, payload?: number): number;
  /** Critical + NONCE_TERMINAL. */
  terminal(payload?: number): number;
  setNonce(nonce: bigint): void;
  readonly nonce: bigint;
  readonly regressions: number;
  readonly pid: number;
}

export const native = load(packageRoot) as NativeAddon;
