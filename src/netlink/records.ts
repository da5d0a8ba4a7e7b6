// Decodes the packed records the addon returns into plain objects. Object
// literals built here cost tens of nanoseconds; the same objects built through
// N-API cost about a microsecond each. The layout (native/netlink/records.h)
// comes from the addon, read once here into constants the decoders use.
import { formatAddress } from '../common/ip-address.js';
import { native } from '../native.js';
import { LinkFlag } from './constants.js';
import type { FdbEntry, Link, Route } from './types.js';

const { kind: KIND, action: ACTION, header: HEADER, route: R, link: L, fdb: F } = native.netlink.constants.record;
const { route: ROUTE, link: LINK, fdb: FDB, overrun: OVERRUN } = KIND;
const { kind: HEADER_KIND, action: HEADER_ACTION, length: LENGTH } = HEADER;
const { family: R_FAMILY, prefix: R_PREFIX, protocol: R_PROTOCOL, scope: R_SCOPE, type: R_TYPE, bits: R_BITS } = R;
const { table: R_TABLE, oif: R_OIF, metric: R_METRIC, dst: R_DST, gateway: R_GATEWAY, prefsrc: R_PREFSRC } = R;
const { hasGateway: R_HAS_GATEWAY, hasPrefsrc: R_HAS_PREFSRC, hasMetric: R_HAS_METRIC, multipath: R_MULTIPATH } = R;
const { index: L_INDEX, flags: L_FLAGS, mtu: L_MTU, master: L_MASTER, operstate: L_OPERSTATE } = L;
const { macLength: L_MAC_LENGTH, nameLength: L_NAME_LENGTH, kindLength: L_KIND_LENGTH } = L;
const { name: L_NAME, kind: L_KIND, mac: L_MAC } = L;
const { ifindex: F_IFINDEX, master: F_MASTER, vlan: F_VLAN, state: F_STATE, flags: F_FLAGS, bits: F_BITS } = F;
const { dstFamily: F_DST_FAMILY, mac: F_MAC, dst: F_DST, hasMac: F_HAS_MAC } = F;

const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// By the addon's action byte: a dump's record, RTM_NEW* (added or changed), RTM_DEL*.
export type RecordAction = 'listed' | 'new' | 'removed';
const ACTIONS: RecordAction[] = [];
ACTIONS[ACTION.listed] = 'listed';
ACTIONS[ACTION.new] = 'new';
ACTIONS[ACTION.deleted] = 'removed';

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
  const family = u8[at + R_FAMILY] as 4 | 6;
  const bits = u8[at + R_BITS]!;
  const oif = view.getUint32(at + R_OIF, true);
  return {
    family,
    dst: address(u8, family, at + R_DST),
    prefix: u8[at + R_PREFIX]!,
    table: view.getUint32(at + R_TABLE, true),
    protocol: u8[at + R_PROTOCOL]!,
    scope: u8[at + R_SCOPE]!,
    type: u8[at + R_TYPE]!,
    oif: oif === 0 ? null : oif,
    gateway: bits & R_HAS_GATEWAY ? address(u8, family, at + R_GATEWAY) : null,
    prefsrc: bits & R_HAS_PREFSRC ? address(u8, family, at + R_PREFSRC) : null,
    metric: bits & R_HAS_METRIC ? view.getUint32(at + R_METRIC, true) : null,
    multipath: (bits & R_MULTIPATH) !== 0,
  };
}

function link(view: DataView, u8: Uint8Array, at: number): Link {
  const flags = view.getUint32(at + L_FLAGS, true);
  const master = view.getUint32(at + L_MASTER, true);
  const macLength = u8[at + L_MAC_LENGTH]!;
  const kindLength = u8[at + L_KIND_LENGTH]!;
  return {
    index: view.getUint32(at + L_INDEX, true),
    name: text(view.buffer as ArrayBuffer, at + L_NAME, u8[at + L_NAME_LENGTH]!),
    kind: kindLength === 0 ? null : text(view.buffer as ArrayBuffer, at + L_KIND, kindLength),
    master: master === 0 ? null : master,
    mac: macLength === 0 ? null : mac(u8, at + L_MAC, macLength),
    flags,
    mtu: view.getUint32(at + L_MTU, true),
    up: (flags & LinkFlag.UP) !== 0,
    operstate: OPERSTATES[u8[at + L_OPERSTATE]!] ?? 'unknown',
  };
}

function fdb(view: DataView, u8: Uint8Array, at: number): FdbEntry {
  const master = view.getUint32(at + F_MASTER, true);
  const vlan = view.getInt32(at + F_VLAN, true);
  const dstFamily = u8[at + F_DST_FAMILY]!;
  return {
    mac: u8[at + F_BITS]! & F_HAS_MAC ? mac(u8, at + F_MAC, 6) : null,
    ifindex: view.getUint32(at + F_IFINDEX, true),
    master: master === 0 ? null : master,
    vlan: vlan < 0 ? null : vlan,
    state: view.getUint16(at + F_STATE, true),
    flags: u8[at + F_FLAGS]!,
    dst: dstFamily === 0 ? null : address(u8, dstFamily, at + F_DST),
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
  for (let at = 0; at < buffer.byteLength; at += view.getUint16(at + LENGTH, true)) {
    if (u8[at + HEADER_KIND] === ROUTE) out.push(route(view, u8, at));
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
  for (let at = 0; at < buffer.byteLength; at += view.getUint16(at + LENGTH, true)) {
    if (u8[at + HEADER_KIND] === kind) out.push(decode(view, u8, at));
  }
  return out;
}

/** Decodes a monitor's mixed records, keeping each one's action. */
export function decodeRecords(buffer: ArrayBuffer): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  const view = new DataView(buffer);
  const u8 = new Uint8Array(buffer);
  for (let at = 0; at < buffer.byteLength; at += view.getUint16(at + LENGTH, true)) {
    const action = ACTIONS[u8[at + HEADER_ACTION]!] ?? 'listed';
    switch (u8[at + HEADER_KIND]) {
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
