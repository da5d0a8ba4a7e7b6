// Decodes the packed records the addon returns (layout: native/netlink/records.h)
// into plain objects. Object literals built here cost tens of nanoseconds;
// the same objects built through N-API cost about a microsecond each.
import { formatAddress } from '../common/ip-address.js';
import type { FdbEntry, Link, Route } from './types.js';

const ROUTE = 1;
const LINK = 2;
const FDB = 3;
const OVERRUN = 4;

const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// By the addon's action byte: a dump's record, RTM_NEW* (added or changed), RTM_DEL*.
export type RecordAction = 'listed' | 'new' | 'removed';
const ACTIONS: RecordAction[] = ['listed', 'new', 'removed'];

export type DecodedRecord =
  | { kind: 'route'; action: RecordAction; route: Route }
  | { kind: 'link'; action: RecordAction; link: Link }
  | { kind: 'fdb'; action: RecordAction; fdb: FdbEntry }
  | { kind: 'overrun' };

function mac(u8: Uint8Array, at: number, length: number): string {
  let text = HEX[u8[at]!]!;
  for (let i = 1; i < length; i++) text += ':' + HEX[u8[at + i]!]!;
  return text;
}

function address(u8: Uint8Array, family: number, at: number): string {
  if (family === 4) return `${u8[at]}.${u8[at + 1]}.${u8[at + 2]}.${u8[at + 3]}`;
  return formatAddress(6, u8.subarray(at, at + 16));
}

function text(buffer: ArrayBuffer, at: number, length: number): string {
  return Buffer.from(buffer, at, length).toString('utf8');
}

function route(view: DataView, u8: Uint8Array, at: number): Route {
  const family = u8[at + 4] as 4 | 6;
  const bits = u8[at + 9]!;
  const oif = view.getUint32(at + 16, true);
  return {
    family,
    dst: address(u8, family, at + 24),
    prefix: u8[at + 5]!,
    table: view.getUint32(at + 12, true),
    protocol: u8[at + 6]!,
    scope: u8[at + 7]!,
    type: u8[at + 8]!,
    oif: oif === 0 ? null : oif,
    gateway: bits & 1 ? address(u8, family, at + 40) : null,
    prefsrc: bits & 2 ? address(u8, family, at + 56) : null,
    metric: bits & 4 ? view.getUint32(at + 20, true) : null,
    multipath: (bits & 8) !== 0,
  };
}

function link(view: DataView, u8: Uint8Array, at: number): Link {
  const flags = view.getUint32(at + 8, true);
  const master = view.getUint32(at + 16, true);
  const macLength = u8[at + 21]!;
  const kindLength = u8[at + 23]!;
  return {
    index: view.getUint32(at + 4, true),
    name: text(view.buffer as ArrayBuffer, at + 24, u8[at + 22]!),
    kind: kindLength === 0 ? null : text(view.buffer as ArrayBuffer, at + 40, kindLength),
    master: master === 0 ? null : master,
    mac: macLength === 0 ? null : mac(u8, at + 64, macLength),
    flags,
    mtu: view.getUint32(at + 12, true),
    up: (flags & 1) !== 0,
    operstate: OPERSTATES[u8[at + 20]!] ?? 'unknown',
  };
}

function fdb(view: DataView, u8: Uint8Array, at: number): FdbEntry {
  const master = view.getUint32(at + 8, true);
  const vlan = view.getInt32(at + 12, true);
  const dstFamily = u8[at + 20]!;
  return {
    mac: u8[at + 19]! & 1 ? mac(u8, at + 24, 6) : null,
    ifindex: view.getUint32(at + 4, true),
    master: master === 0 ? null : master,
    vlan: vlan < 0 ? null : vlan,
    state: view.getUint16(at + 16, true),
    flags: u8[at + 18]!,
    dst: dstFamily === 0 ? null : address(u8, dstFamily, at + 32),
  };
}

/** Decodes records of one kind (a dump's reply). */
export function decodeRoutes(buffer: ArrayBuffer): Route[] {
  return decodeAll(buffer, ROUTE, route);
}
export function decodeLinks(buffer: ArrayBuffer): Link[] {
  return decodeAll(buffer, LINK, link);
}
export function decodeFdb(buffer: ArrayBuffer): FdbEntry[] {
  return decodeAll(buffer, FDB, fdb);
}

/**
 * decodeRoutes() for a dump of any size without holding the event loop: it
 * decodes for at most `budgetMs` at a time and awaits `pause()` in between
 * (which may throw to stop, e.g. on abort).
 */
export async function decodeRoutesInSlices(buffer: ArrayBuffer, pause: () => Promise<void>, budgetMs = 0.5): Promise<Route[]> {
  const out: Route[] = [];
  if (buffer.byteLength === 0) return out;
  const view = new DataView(buffer);
  const u8 = new Uint8Array(buffer);
  let sliceStart = performance.now();
  let count = 0;
  for (let at = 0; at < buffer.byteLength; at += view.getUint16(at + 2, true)) {
    if (u8[at] === ROUTE) out.push(route(view, u8, at));
    // Reading the clock costs ~30 ns: look at it every 256 records (~0.1 ms of work).
    if ((++count & 255) === 0 && performance.now() - sliceStart >= budgetMs) {
      await pause();
      sliceStart = performance.now();
    }
  }
  return out;
}

function decodeAll<T>(buffer: ArrayBuffer, kind: number, decode: (view: DataView, u8: Uint8Array, at: number) => T): T[] {
  const out: T[] = [];
  if (buffer.byteLength === 0) return out;
  const view = new DataView(buffer);
  const u8 = new Uint8Array(buffer);
  for (let at = 0; at < buffer.byteLength; at += view.getUint16(at + 2, true)) {
    if (u8[at] === kind) out.push(decode(view, u8, at));
  }
  return out;
}

/** Decodes a monitor's mixed records, keeping each one's action. */
export function decodeRecords(buffer: ArrayBuffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  const view = new DataView(buffer);
  const u8 = new Uint8Array(buffer);
  for (let at = 0; at < buffer.byteLength; at += view.getUint16(at + 2, true)) {
    const action = ACTIONS[u8[at + 1]!] ?? 'listed';
    switch (u8[at]) {
      case ROUTE:
        out.push({ kind: 'route', action, route: route(view, u8, at) });
        break;
      case LINK:
        out.push({ kind: 'link', action, link: link(view, u8, at) });
        break;
      case FDB:
        out.push({ kind: 'fdb', action, fdb: fdb(view, u8, at) });
        break;
      case OVERRUN:
        out.push({ kind: 'overrun' });
        break;
    }
  }
  return out;
}
