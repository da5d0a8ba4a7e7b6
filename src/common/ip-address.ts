// Text form of IP addresses, shared by the subnet parser and the netlink
// record decoder.
import { makeError } from './errors.js';

export type AddressFamily = 4 | 6;

/**
 * Canonical text of an address: dotted decimal for IPv4; RFC 5952 for IPv6
 * (lowercase, no leading zeros, the longest run of two or more zero groups
 * as "::", the first on a tie, and IPv4-mapped addresses as ::ffff:a.b.c.d).
 */
export function formatAddress(family: AddressFamily, bytes: Uint8Array): string {
  if (family !== 4 && family !== 6) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The "family" argument must be 4 or 6; received ${String(family)}`);
  }
  const want = family === 4 ? 4 : 16;
  if (!(bytes instanceof Uint8Array) || bytes.length !== want) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw makeError(RangeError, 'ERR_INVALID_ARG_VALUE', `An IPv${family} address is ${want} bytes; received ${got}`);
  }
  if (family === 4) return Array.from(bytes).join('.');

  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestLength < 2) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}
