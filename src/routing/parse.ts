// Routing inputs are parsed once, at the boundary, into types that cannot hold
// a bad value: a Subnet always has its host bits clear and canonical text, an
// InterfaceName is one the kernel's dev_valid_name() accepts, a MacAddress is
// lowercase colon-separated. Code past the boundary takes these types and does
// not check again.
import { invalidArg } from '../common/args.js';
import { makeError } from '../common/errors.js';
import { formatAddress, type AddressFamily } from '../common/ip-address.js';
import { InvalidInterfaceNameError, InvalidMacAddressError, InvalidSubnetError } from './errors.js';

export { formatAddress, type AddressFamily };

const q = (s: string): string => JSON.stringify(s);

// ---------------------------------------------------------------------------
// Subnet

/**
 * An IPv4 or IPv6 network in CIDR form, host bits clear. Immutable: the object
 * is frozen and `bytes` returns a fresh copy on each read. Only `parseSubnet`
 * and the helpers below make one (the class is exported as a type only).
 */
class Subnet {
  readonly #bytes: Uint8Array;
  /** Canonical text of the network address: dotted decimal, or RFC 5952 for IPv6. */
  readonly address: string;

  constructor(
    readonly family: AddressFamily,
    bytes: Uint8Array,
    readonly prefix: number,
  ) {
    this.#bytes = bytes;
    this.address = formatAddress(family, bytes);
    Object.freeze(this);
  }

  /** The network address, 4 or 16 bytes; a copy, so changing it changes nothing. */
  get bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** `address/prefix`, e.g. `172.16.0.0/12` or `fd00::/8`. */
  toString(): string {
    return `${this.address}/${this.prefix}`;
  }

  toJSON(): string {
    return this.toString();
  }

  static is(value: unknown): value is Subnet {
    return typeof value === 'object' && value !== null && #bytes in value;
  }
}
export type { Subnet };

/** True for objects made by `parseSubnet` or the subnet helpers. */
export function isSubnet(value: unknown): value is Subnet {
  return Subnet.is(value);
}

function checkSubnetArg(value: unknown, name: string): void {
  if (!Subnet.is(value)) throw invalidArg(name, 'a Subnet (see parseSubnet)', value);
}

/**
 * Parses `address/prefix` (`172.16.0.0/12`, `fd00::/8`, `::/0`). Throws
 * InvalidSubnetError (ERR_INVALID_SUBNET) with the reason, and with a
 * `hint` naming the masked network when only host bits were set.
 */
export function parseSubnet(input: unknown): Subnet {
  const fail: (reason: string, hint?: string) => never = (reason, hint) => {
    throw new InvalidSubnetError(input, reason, hint);
  };
  if (typeof input !== 'string') fail('must be a string');
  const text = input;
  if (text.length === 0) fail('must not be empty');
  if (text.trim() !== text) fail('must not have leading or trailing whitespace');
  const slash = text.indexOf('/');
  if (slash === -1) fail('missing prefix length; write it as "address/prefix", e.g. "10.0.0.0/8" or "fd00::/8"');
  if (text.indexOf('/', slash + 1) !== -1) fail('contains more than one "/"');
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (addressText === '') fail('address is empty');
  const { family, bytes } = parseAddress(addressText, fail);

  const max = family === 4 ? 32 : 128;
  if (prefixText === '') fail('prefix length is empty');
  if (!/^(?:0|[1-9][0-9]*)$/.test(prefixText)) {
    fail(`prefix length ${q(prefixText)} must be a decimal integer without sign or leading zeros`);
  }
  const prefix = Number(prefixText);
  if (prefix > max) fail(`prefix length ${prefixText} is out of range for IPv${family} (0-${max})`);

  const network = masked(bytes, prefix);
  if (!equalBytes(network, bytes)) {
    fail(
      `host bits are set (${addressText} is not the network address of a /${prefix})`,
      `did you mean ${formatAddress(family, network)}/${prefix}?`,
    );
  }
  return new Subnet(family, network, prefix);
}

type Fail = (reason: string) => never;

function parseAddress(text: string, fail: Fail): { family: AddressFamily; bytes: Uint8Array } {
  const zone = text.indexOf('%');
  if (zone !== -1) fail(`zone ids (${q(text.slice(zone))}) are not allowed in a subnet`);
  if (text.includes(':')) return { family: 6, bytes: parseIPv6(text, fail) };
  if (text.includes('.')) return { family: 4, bytes: parseIPv4(text, fail) };
  return fail(`${q(text)} is not an IPv4 or IPv6 address`);
}

function parseIPv4(text: string, fail: Fail): Uint8Array {
  const parts = text.split('.');
  if (parts.includes('')) fail(`IPv4 address ${q(text)} has an empty octet`);
  if (parts.length !== 4) fail(`IPv4 address ${q(text)} has ${parts.length} octets; expected 4`);
  const bytes = new Uint8Array(4);
  parts.forEach((part, i) => {
    if (!/^[0-9]+$/.test(part)) fail(`IPv4 octet ${q(part)} is not a decimal number`);
    if (part.length > 1 && part.startsWith('0')) {
      fail(`IPv4 octet ${q(part)} has a leading zero, which is ambiguous (inet_aton() reads it as octal)`);
    }
    const value = Number(part);
    if (value > 255) fail(`IPv4 octet ${q(part)} is greater than 255`);
    bytes[i] = value;
  });
  return bytes;
}

function parseIPv6(text: string, fail: Fail): Uint8Array {
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) fail(`IPv6 address ${q(text)} contains "::" more than once`);
  const headText = gap === -1 ? text : text.slice(0, gap);
  const tailText = gap === -1 ? '' : text.slice(gap + 2);
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === '' ? [] : tailText.split(':');
  const groups = [...head, ...tail];
  // An embedded dotted quad may only be the final 32 bits: last group, and no "::" after it.
  const lastIndex = text.endsWith('::') ? -1 : groups.length - 1;

  const words: number[] = [];
  groups.forEach((group, i) => {
    if (group === '') fail(`IPv6 address ${q(text)} has an empty group; only "::" may stand for zeros`);
    if (group.includes('.')) {
      if (i !== lastIndex) fail(`IPv6 address ${q(text)} has an embedded IPv4 address that is not the last 32 bits`);
      const v4 = parseIPv4(group, fail);
      words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      return;
    }
    if (!/^[0-9a-fA-F]+$/.test(group)) fail(`IPv6 group ${q(group)} is not hexadecimal`);
    if (group.length > 4) fail(`IPv6 group ${q(group)} has more than 4 hex digits`);
    words.push(parseInt(group, 16));
  });

  const headWords = head.length; // an embedded IPv4 is never in head when "::" follows it
  if (gap === -1) {
    if (words.length !== 8) fail(`IPv6 address ${q(text)} has ${words.length} groups; expected 8 (or use "::")`);
  } else if (words.length > 7) {
    fail(`IPv6 address ${q(text)} has ${words.length} groups besides "::", which must stand for at least one`);
  }
  const full = new Array<number>(8).fill(0);
  const headPart = gap === -1 ? words : words.slice(0, headWords);
  const tailPart = gap === -1 ? [] : words.slice(headWords);
  headPart.forEach((w, i) => (full[i] = w));
  tailPart.forEach((w, i) => (full[8 - tailPart.length + i] = w));
  const bytes = new Uint8Array(16);
  full.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

function masked(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = (out[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Same family, prefix and network address. */
export function subnetEquals(a: Subnet, b: Subnet): boolean {
  checkSubnetArg(a, 'a');
  checkSubnetArg(b, 'b');
  return a.family === b.family && a.prefix === b.prefix && equalBytes(a.bytes, b.bytes);
}

/** True when every address of `inner` is in `outer` (a subnet contains itself). False across families. */
export function subnetContains(outer: Subnet, inner: Subnet): boolean {
  checkSubnetArg(outer, 'outer');
  checkSubnetArg(inner, 'inner');
  return outer.family === inner.family && outer.prefix <= inner.prefix && equalBytes(masked(inner.bytes, outer.prefix), outer.bytes);
}

/** The two halves of `subnet`, lower first, each one bit longer. RangeError (ERR_OUT_OF_RANGE) on a /32 or /128. */
export function splitSubnet(subnet: Subnet): [Subnet, Subnet] {
  checkSubnetArg(subnet, 'subnet');
  const max = subnet.family === 4 ? 32 : 128;
  const p = subnet.prefix;
  if (p >= max) {
    throw makeError(RangeError, 'ERR_OUT_OF_RANGE', `cannot split ${subnet.toString()}: a /${max} is a single address`);
  }
  const low = subnet.bytes;
  const high = subnet.bytes;
  high[p >> 3] = (high[p >> 3] ?? 0) | (0x80 >> (p & 7));
  return [new Subnet(subnet.family, low, p + 1), new Subnet(subnet.family, high, p + 1)];
}

// ---------------------------------------------------------------------------
// Interface names

declare const brand: unique symbol;
/** A name the kernel's dev_valid_name() accepts: usable as IFLA_IFNAME. */
export type InterfaceName = string & { readonly [brand]: 'InterfaceName' };

/** IFNAMSIZ (16) less the terminating NUL. */
export const INTERFACE_NAME_MAX_BYTES = 15;

const WHITESPACE = /[\s\p{White_Space}]/u;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const codePoint = (ch: string): string => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Parses a network interface name by the kernel's rules (net/core/dev.c,
 * dev_valid_name): 1–15 bytes of UTF-8, not "." or "..", no "/", ":", NUL or
 * whitespace (here: any Unicode whitespace). The kernel tests each byte with
 * its Latin-1 isspace(), so a character whose UTF-8 holds byte 0xA0 (e.g. "à",
 * Cyrillic "Р") is refused too. "%" is refused as well: dev_get_valid_name()
 * takes a name with "%" as a template ("eth%d"), so no interface is ever
 * called that.
 */
export function parseInterfaceName(input: unknown): InterfaceName {
  const fail: (reason: string) => never = (reason) => {
    throw new InvalidInterfaceNameError(input, reason);
  };
  if (typeof input !== 'string') fail('must be a string');
  const name = input;
  if (name.length === 0) fail('must not be empty');
  const lone = LONE_SURROGATE.exec(name);
  if (lone) fail(`has a lone UTF-16 surrogate at index ${lone.index}, which has no UTF-8 encoding`);
  const length = Buffer.byteLength(name, 'utf8');
  if (length > INTERFACE_NAME_MAX_BYTES) {
    fail(`is ${length} bytes long in UTF-8; the limit is ${INTERFACE_NAME_MAX_BYTES} (IFNAMSIZ - 1)`);
  }
  if (name === '.' || name === '..') fail('must not be "." or ".."');
  const nul = name.indexOf('\0');
  if (nul !== -1) fail(`must not contain NUL (at index ${nul})`);
  if (name.includes('/')) fail('must not contain "/"');
  if (name.includes(':')) fail('must not contain ":" ("eth0:1" is an address label, not an interface name)');
  if (name.includes('%')) {
    fail('must not contain "%" (the kernel takes such a name as a template like "eth%d" and picks the number itself)');
  }
  const space = WHITESPACE.exec(name);
  if (space) fail(`must not contain whitespace (${codePoint(space[0])} at index ${space.index})`);
  for (const ch of name) {
    if (ch.length === 1 && ch.charCodeAt(0) < 0x80) continue;
    if (Buffer.from(ch, 'utf8').includes(0xa0)) {
      fail(`must not contain ${q(ch)} (${codePoint(ch)}): its UTF-8 holds byte 0xa0, which the kernel's isspace() counts as whitespace`);
    }
  }
  return name as InterfaceName;
}

export function isInterfaceName(input: unknown): input is InterfaceName {
  try {
    parseInterfaceName(input);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// MAC addresses

declare const macBrand: unique symbol;
/** A 48-bit MAC address as lowercase colon-separated hex: `aa:bb:cc:dd:ee:ff`. */
export type MacAddress = string & { readonly [macBrand]: 'MacAddress' };

const MAC_SHAPES = /^(?:[0-9a-f]{2}(?::[0-9a-f]{2}){5}|[0-9a-f]{2}(?:-[0-9a-f]{2}){5}|[0-9a-f]{4}(?:\.[0-9a-f]{4}){2})$/i;
const MAC_EXPECTED = 'expected six hex octets as "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff" or "aabb.ccdd.eeff"';

/** Parses `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF` or `aabb.ccdd.eeff` (any case) to `aa:bb:cc:dd:ee:ff`. */
export function parseMacAddress(input: unknown): MacAddress {
  const fail: (reason: string) => never = (reason) => {
    throw new InvalidMacAddressError(input, reason);
  };
  if (typeof input !== 'string') fail('must be a string');
  const text = input;
  if (text.length === 0) fail('must not be empty');
  if (!MAC_SHAPES.test(text)) {
    const separators = new Set(text.replace(/[0-9a-f]/gi, ''));
    const stray = [...separators].find((c) => c !== ':' && c !== '-' && c !== '.');
    if (stray !== undefined) fail(`${q(stray)} is not a hex digit or separator; ${MAC_EXPECTED}`);
    if (separators.size > 1) fail(`mixes separators; ${MAC_EXPECTED}`);
    fail(MAC_EXPECTED);
  }
  const hex = text.replace(/[:.-]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':') as MacAddress;
}

export function isMacAddress(input: unknown): input is MacAddress {
  try {
    parseMacAddress(input);
    return true;
  } catch {
    return false;
  }
}

/** The six bytes of a MAC address. */
export function macToBytes(mac: MacAddress): Uint8Array {
  const canonical = parseMacAddress(mac); // cheap, and catches an unchecked `as MacAddress`
  return Uint8Array.from(canonical.split(':'), (h) => parseInt(h, 16));
}

/** True when the I/G bit (least significant bit of the first octet) is set; broadcast included. */
export function isMulticastMac(mac: MacAddress): boolean {
  return ((macToBytes(mac)[0] ?? 0) & 1) === 1;
}
