import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InvalidInterfaceNameError, InvalidMacAddressError, InvalidSubnetError } from '../../src/routing/errors.js';
import {
  formatAddress,
  INTERFACE_NAME_MAX_BYTES,
  isInterfaceName,
  isMacAddress,
  isMulticastMac,
  isSubnet,
  macToBytes,
  parseInterfaceName,
  parseMacAddress,
  parseSubnet,
  splitSubnet,
  subnetContains,
  subnetEquals,
  type InterfaceName,
  type MacAddress,
  type Subnet,
} from '../../src/routing/parse.js';

/** Runs `fn`, which must throw; returns what it threw. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, got a return');
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const S = (text: string): Subnet => parseSubnet(text);

// Small deterministic PRNG (mulberry32) so the generated cases are the same on every run.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseSubnet: accepted', () => {
  it.each([
    // [input, canonical, family, prefix, network bytes in hex]
    ['172.16.0.0/12', '172.16.0.0/12', 4, 12, 'ac100000'],
    ['10.0.0.0/8', '10.0.0.0/8', 4, 8, '0a000000'],
    ['0.0.0.0/0', '0.0.0.0/0', 4, 0, '00000000'],
    ['100.64.0.0/10', '100.64.0.0/10', 4, 10, '64400000'],
    ['192.168.1.128/25', '192.168.1.128/25', 4, 25, 'c0a80180'],
    ['192.168.1.1/32', '192.168.1.1/32', 4, 32, 'c0a80101'],
    ['255.255.255.255/32', '255.255.255.255/32', 4, 32, 'ffffffff'],
    ['fd00::/8', 'fd00::/8', 6, 8, 'fd000000000000000000000000000000'],
    ['::/0', '::/0', 6, 0, '00000000000000000000000000000000'],
    ['0::0/0', '::/0', 6, 0, '00000000000000000000000000000000'],
    ['0:0:0:0:0:0:0:0/0', '::/0', 6, 0, '00000000000000000000000000000000'],
    ['FD00:0000::/8', 'fd00::/8', 6, 8, 'fd000000000000000000000000000000'],
    ['2001:DB8::/32', '2001:db8::/32', 6, 32, '20010db8000000000000000000000000'],
    ['fe80::/10', 'fe80::/10', 6, 10, 'fe800000000000000000000000000000'],
    ['::1/128', '::1/128', 6, 128, '00000000000000000000000000000001'],
    ['1::/16', '1::/16', 6, 16, '00010000000000000000000000000000'],
    ['1:2:3:4:5:6:7::/128', '1:2:3:4:5:6:7:0/128', 6, 128, '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8/128', '0:2:3:4:5:6:7:8/128', 6, 128, '00000002000300040005000600070008'],
    ['::ffff:192.0.2.0/120', '::ffff:192.0.2.0/120', 6, 120, '00000000000000000000ffffc0000200'],
    ['::ffff:c000:0200/120', '::ffff:192.0.2.0/120', 6, 120, '00000000000000000000ffffc0000200'],
    ['64:ff9b::192.0.2.33/128', '64:ff9b::c000:221/128', 6, 128, '0064ff9b0000000000000000c0000221'],
    ['::192.0.2.33/128', '::c000:221/128', 6, 128, '000000000000000000000000c0000221'],
    ['1:2:3:4:5:6:1.2.3.4/128', '1:2:3:4:5:6:102:304/128', 6, 128, '00010002000300040005000601020304'],
  ] as const)('%s -> %s', (input, canonical, family, prefix, bytes) => {
    const subnet = parseSubnet(input);
    expect(subnet.toString()).toBe(canonical);
    expect(String(subnet)).toBe(canonical);
    expect(`${subnet.address}/${subnet.prefix}`).toBe(canonical);
    expect(subnet.family).toBe(family);
    expect(subnet.prefix).toBe(prefix);
    expect(hex(subnet.bytes)).toBe(bytes);
    expect(subnet.bytes.length).toBe(family === 4 ? 4 : 16);
    // The canonical text parses back to an equal subnet.
    expect(subnetEquals(parseSubnet(canonical), subnet)).toBe(true);
  });
});

describe('parseSubnet: RFC 5952 canonical IPv6 text', () => {
  it.each([
    // Section 4.1: leading zeros suppressed ("001" is not allowed in output).
    ['2001:0db8::0001', '2001:db8::1'],
    ['2001:db8::001', '2001:db8::1'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    // Section 4.2.1: "::" used to its maximum capability.
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8::0:1', '2001:db8::1'],
    // Section 4.2.2: "::" not used for one 16-bit 0 field.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // Section 4.2.3: the longest run is shortened; on a tie, the first one.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:1:0:0:1:0:0', '1:0:1::1:0:0'],
    // Section 4.3: lowercase.
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    ['FE80::A:B:C:D', 'fe80::a:b:c:d'],
    // Section 2's many spellings of one address.
    ['2001:0db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:0:1::1', '2001:db8::1:0:0:1'],
    ['2001:db8:0000:0:1::1', '2001:db8::1:0:0:1'],
    ['2001:DB8:0:0:1::1', '2001:db8::1:0:0:1'],
    // Runs at either end.
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:1:0:0:0:0:0', '0:0:1::'],
    // Section 5: IPv4-mapped addresses print the last 32 bits dotted.
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:FFFF:C000:0201', '::ffff:192.0.2.1'],
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    // Not mapped (::fffe:..., and 1::ffff:...): plain hex.
    ['::fffe:c000:201', '::fffe:c000:201'],
    ['1::ffff:c000:201', '1::ffff:c000:201'],
  ])('%s -> %s', (input, canonical) => {
    expect(parseSubnet(`${input}/128`).address).toBe(canonical);
  });

  it('agrees with the WHATWG URL serializer on 3000 generated addresses (mapped ones excepted)', () => {
    const next = rng(5952);
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      const bytes = new Uint8Array(16);
      for (let i = 0; i < 16; i += 2) {
        // Mostly zero groups, so that runs, ties and single zeros all occur.
        const r = next();
        const word = r < 0.55 ? 0 : r < 0.7 ? 1 + Math.floor(next() * 15) : Math.floor(next() * 0x10000);
        bytes[i] = word >> 8;
        bytes[i + 1] = word & 0xff;
      }
      const text = formatAddress(6, bytes);
      // The URL spec never prints dotted quads; skip IPv4-mapped addresses.
      if (text.startsWith('::ffff:') && text.includes('.')) continue;
      expect(text).toBe(new URL(`http://[${hex(bytes).replace(/(....)(?!$)/g, '$1:')}]/`).hostname.slice(1, -1));
      expect(hex(parseSubnet(`${text}/128`).bytes)).toBe(hex(bytes));
      checked++;
    }
    expect(checked).toBeGreaterThan(2900);
  });
});

describe('parseSubnet: rejected', () => {
  it.each([
    ['empty', '', 'must not be empty'],
    ['leading whitespace', ' 10.0.0.0/8', 'must not have leading or trailing whitespace'],
    ['trailing newline', '10.0.0.0/8\n', 'must not have leading or trailing whitespace'],
    ['missing prefix', '10.0.0.0', 'missing prefix length; write it as "address/prefix", e.g. "10.0.0.0/8" or "fd00::/8"'],
    ['missing IPv6 prefix', 'fd00::', 'missing prefix length; write it as "address/prefix", e.g. "10.0.0.0/8" or "fd00::/8"'],
    ['two slashes', '10.0.0.0/8/8', 'contains more than one "/"'],
    ['no address', '/8', 'address is empty'],
    ['empty prefix', '10.0.0.0/', 'prefix length is empty'],
    ['IPv4 prefix 33', '10.0.0.0/33', 'prefix length 33 is out of range for IPv4 (0-32)'],
    ['IPv6 prefix 129', '::/129', 'prefix length 129 is out of range for IPv6 (0-128)'],
    ['huge prefix', '::/99999999999999999999999', 'prefix length 99999999999999999999999 is out of range for IPv6 (0-128)'],
    ['plus sign', '10.0.0.0/+8', 'prefix length "+8" must be a decimal integer without sign or leading zeros'],
    ['minus sign', '10.0.0.0/-1', 'prefix length "-1" must be a decimal integer without sign or leading zeros'],
    ['leading zero prefix', '10.0.0.0/08', 'prefix length "08" must be a decimal integer without sign or leading zeros'],
    ['zero-padded zero', '0.0.0.0/00', 'prefix length "00" must be a decimal integer without sign or leading zeros'],
    ['hex prefix', '10.0.0.0/0x8', 'prefix length "0x8" must be a decimal integer without sign or leading zeros'],
    ['fractional prefix', '10.0.0.0/8.0', 'prefix length "8.0" must be a decimal integer without sign or leading zeros'],
    ['exponent prefix', '10.0.0.0/1e1', 'prefix length "1e1" must be a decimal integer without sign or leading zeros'],
    ['space in prefix', '10.0.0.0/ 8', 'prefix length " 8" must be a decimal integer without sign or leading zeros'],
    ['fullwidth digit', '10.0.0.0/８', 'prefix length "８" must be a decimal integer without sign or leading zeros'],
    ['octet > 255', '256.0.0.0/8', 'IPv4 octet "256" is greater than 255'],
    ['octet 999', '10.0.0.999/32', 'IPv4 octet "999" is greater than 255'],
    ['leading-zero octet', '010.0.0.0/8', 'IPv4 octet "010" has a leading zero, which is ambiguous (inet_aton() reads it as octal)'],
    ['zero-padded zero octet', '10.00.0.0/16', 'IPv4 octet "00" has a leading zero, which is ambiguous (inet_aton() reads it as octal)'],
    ['three octets', '10.0.0/24', 'IPv4 address "10.0.0" has 3 octets; expected 4'],
    ['five octets', '10.0.0.0.0/32', 'IPv4 address "10.0.0.0.0" has 5 octets; expected 4'],
    ['empty octet', '10..0.0/16', 'IPv4 address "10..0.0" has an empty octet'],
    ['trailing dot', '10.0.0.0./8', 'IPv4 address "10.0.0.0." has an empty octet'],
    ['hex octet', '0x0a.0.0.0/8', 'IPv4 octet "0x0a" is not a decimal number'],
    ['signed octet', '10.+1.0.0/16', 'IPv4 octet "+1" is not a decimal number'],
    ['not an address', 'foo/8', '"foo" is not an IPv4 or IPv6 address'],
    ['bare number', '167772160/8', '"167772160" is not an IPv4 or IPv6 address'],
    ['two "::"', 'fd00::1::/8', 'IPv6 address "fd00::1::" contains "::" more than once'],
    ['":::"', ':::/0', 'IPv6 address ":::" contains "::" more than once'],
    ['zone id', 'fe80::%eth0/64', 'zone ids ("%eth0") are not allowed in a subnet'],
    ['numeric zone id', 'fe80::1%2/128', 'zone ids ("%2") are not allowed in a subnet'],
    ['five hex digits', '12345::/16', 'IPv6 group "12345" has more than 4 hex digits'],
    ['zero-padded group', '00000::/16', 'IPv6 group "00000" has more than 4 hex digits'],
    ['non-hex group', 'fg00::/8', 'IPv6 group "fg00" is not hexadecimal'],
    ['seven groups', '1:2:3:4:5:6:7/112', 'IPv6 address "1:2:3:4:5:6:7" has 7 groups; expected 8 (or use "::")'],
    ['nine groups', '1:2:3:4:5:6:7:8:9/128', 'IPv6 address "1:2:3:4:5:6:7:8:9" has 9 groups; expected 8 (or use "::")'],
    [
      '"::" standing for nothing',
      '1:2:3:4::5:6:7:8/128',
      'IPv6 address "1:2:3:4::5:6:7:8" has 8 groups besides "::", which must stand for at least one',
    ],
    ['leading single colon', ':1::/16', 'IPv6 address ":1::" has an empty group; only "::" may stand for zeros'],
    ['trailing single colon', '1::2:/128', 'IPv6 address "1::2:" has an empty group; only "::" may stand for zeros'],
    ['IPv4 not last', '::1.2.3.4:5/128', 'IPv6 address "::1.2.3.4:5" has an embedded IPv4 address that is not the last 32 bits'],
    ['IPv4 before "::"', '1.2.3.4::/128', 'IPv6 address "1.2.3.4::" has an embedded IPv4 address that is not the last 32 bits'],
    ['bad embedded IPv4', '::ffff:256.1.1.1/128', 'IPv4 octet "256" is greater than 255'],
    ['short embedded IPv4', '::ffff:1.2.3/128', 'IPv4 address "1.2.3" has 3 octets; expected 4'],
    [
      'embedded IPv4 too many groups',
      '1:2:3:4:5:6:7:1.2.3.4/128',
      'IPv6 address "1:2:3:4:5:6:7:1.2.3.4" has 9 groups; expected 8 (or use "::")',
    ],
  ])('%s: %j', (_what, input, reason) => {
    const err = thrownBy(() => parseSubnet(input));
    expect(err).toBeInstanceOf(InvalidSubnetError);
    expect(err).toBeInstanceOf(TypeError);
    const e = err as InvalidSubnetError;
    expect(e.code).toBe('ERR_INVALID_SUBNET');
    expect(e.name).toBe('InvalidSubnetError');
    expect(e.input).toBe(input);
    expect(e.reason).toBe(reason);
    expect(e.hint).toBeUndefined();
    expect(e.message).toBe(`invalid subnet ${JSON.stringify(input)}: ${reason}`);
  });

  it.each([
    ['172.16.5.4/12', '172.16.5.4', 12, 'did you mean 172.16.0.0/12?'],
    ['192.168.1.130/25', '192.168.1.130', 25, 'did you mean 192.168.1.128/25?'],
    ['10.0.0.1/0', '10.0.0.1', 0, 'did you mean 0.0.0.0/0?'],
    ['10.255.255.255/31', '10.255.255.255', 31, 'did you mean 10.255.255.254/31?'],
    ['fd00::1/8', 'fd00::1', 8, 'did you mean fd00::/8?'],
    ['2001:DB8::1/32', '2001:DB8::1', 32, 'did you mean 2001:db8::/32?'],
    ['fe80::1:2:3:4/64', 'fe80::1:2:3:4', 64, 'did you mean fe80::/64?'],
    ['2001:db8:0:1:ffff::/63', '2001:db8:0:1:ffff::', 63, 'did you mean 2001:db8::/63?'],
    ['::ffff:192.0.2.1/120', '::ffff:192.0.2.1', 120, 'did you mean ::ffff:192.0.2.0/120?'],
    ['::1/127', '::1', 127, 'did you mean ::/127?'],
  ] as const)('host bits set in %s: hints at the masked network', (input, address, prefix, hint) => {
    const err = thrownBy(() => parseSubnet(input)) as InvalidSubnetError;
    expect(err).toBeInstanceOf(InvalidSubnetError);
    expect(err.code).toBe('ERR_INVALID_SUBNET');
    expect(err.reason).toBe(`host bits are set (${address} is not the network address of a /${prefix})`);
    expect(err.hint).toBe(hint);
    // The hinted subnet itself parses.
    expect(parseSubnet(hint.slice('did you mean '.length, -1)).toString()).toBe(hint.slice('did you mean '.length, -1));
  });

  it('says the whole thing in one message for the host-bits case', () => {
    const err = thrownBy(() => parseSubnet('172.16.5.4/12')) as InvalidSubnetError;
    expect(err.message).toBe(
      'invalid subnet "172.16.5.4/12": host bits are set (172.16.5.4 is not the network address of a /12); did you mean 172.16.0.0/12?',
    );
    expect(err.hint).toBe('did you mean 172.16.0.0/12?');
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 42, 10n, {}, ['10.0.0.0/8']]) {
      const err = thrownBy(() => parseSubnet(value)) as InvalidSubnetError;
      expect(err).toBeInstanceOf(InvalidSubnetError);
      expect(err.reason).toBe('must be a string');
      expect(err.input).toBe(value);
    }
    expect((thrownBy(() => parseSubnet(42)) as Error).message).toBe('invalid subnet 42: must be a string');
    expect((thrownBy(() => parseSubnet(10n)) as Error).message).toBe('invalid subnet 10n: must be a string');
  });

  it('accepts exactly the addresses node:net accepts (zone ids aside), on 4000 mutated strings', () => {
    const next = rng(4291);
    const seeds = [
      '10.0.0.1',
      '255.255.255.255',
      '0.0.0.0',
      '::',
      '::1',
      'fd00::',
      '2001:db8::1:0:0:1',
      '1:2:3:4:5:6:7:8',
      '::ffff:192.0.2.1',
      '64:ff9b::1.2.3.4',
      '1:2:3:4:5:6:1.2.3.4',
      'fe80::a:b',
    ];
    const alphabet = '0123456789abcdefABg:.:.:';
    let accepted = 0;
    for (let n = 0; n < 4000; n++) {
      let s = seeds[Math.floor(next() * seeds.length)] ?? '';
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * (s.length + 1));
        const ch = alphabet[Math.floor(next() * alphabet.length)] ?? '';
        const op = next();
        if (op < 0.4)
          s = s.slice(0, at) + ch + s.slice(at); // insert
        else if (op < 0.7)
          s = s.slice(0, at) + s.slice(at + 1); // delete
        else s = s.slice(0, at) + ch + s.slice(at + 1); // replace
      }
      if (s === '' || s.includes('/')) continue;
      let ours: boolean;
      try {
        parseSubnet(`${s}/${s.includes(':') ? 128 : 32}`); // a full-length prefix: no host bits
        ours = true;
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidSubnetError);
        ours = false;
      }
      expect({ s, ours }).toEqual({ s, ours: isIP(s) !== 0 });
      if (ours) accepted++;
    }
    // Both outcomes must be well represented for the comparison to mean anything.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(3500);
  });
});

describe('Subnet values', () => {
  it('are frozen, and bytes is a copy', () => {
    const s = S('10.0.0.0/8');
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => {
      (s as { prefix: number }).prefix = 16;
    }).toThrow(TypeError);
    expect(() => {
      (s as { address: string }).address = '0.0.0.0';
    }).toThrow(TypeError);
    const bytes = s.bytes;
    bytes[0] = 192;
    expect(hex(s.bytes)).toBe('0a000000');
    expect(s.bytes).not.toBe(s.bytes);
    expect(s.toString()).toBe('10.0.0.0/8');
  });

  it('serialise to their text', () => {
    expect(JSON.stringify({ net: S('fd00::/8'), v4: S('172.16.0.0/12') })).toBe('{"net":"fd00::/8","v4":"172.16.0.0/12"}');
    expect(`${S('::/0')}`).toBe('::/0');
  });

  it('isSubnet tells parsed subnets from look-alikes', () => {
    expect(isSubnet(S('10.0.0.0/8'))).toBe(true);
    expect(isSubnet({ family: 4, address: '10.0.0.0', prefix: 8, bytes: new Uint8Array([10, 0, 0, 0]) })).toBe(false);
    expect(isSubnet('10.0.0.0/8')).toBe(false);
    expect(isSubnet(null)).toBe(false);
  });

  it('cannot be faked by an object literal (type level)', () => {
    // @ts-expect-error: Subnet is nominal; only parseSubnet and the helpers make one.
    const fake: Subnet = { family: 4, address: '10.0.0.0', prefix: 8, bytes: new Uint8Array(4), toString: () => '', toJSON: () => '' };
    // @ts-expect-error: a plain string is not an InterfaceName.
    const name: InterfaceName = 'eth0';
    // @ts-expect-error: a plain string is not a MacAddress.
    const mac: MacAddress = 'aa:bb:cc:dd:ee:ff';
    expect([fake.prefix, name, mac]).toEqual([8, 'eth0', 'aa:bb:cc:dd:ee:ff']);
  });
});

describe('subnetEquals', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['fd00::/8', 'FD00:0::/8', true],
    ['::/0', '0:0:0:0:0:0:0:0/0', true],
    ['10.0.0.0/8', '10.0.0.0/9', false],
    ['10.0.0.0/8', '11.0.0.0/8', false],
    ['0.0.0.0/0', '::/0', false],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8', false],
  ])('%s == %s is %s', (a, b, equal) => {
    expect(subnetEquals(S(a), S(b))).toBe(equal);
    expect(subnetEquals(S(b), S(a))).toBe(equal);
  });
});

describe('subnetContains', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.1.2.0/24', true],
    ['10.0.0.0/8', '10.255.255.255/32', true],
    ['10.0.0.0/8', '11.0.0.0/24', false],
    ['10.1.2.0/24', '10.0.0.0/8', false],
    ['0.0.0.0/0', '203.0.113.7/32', true],
    ['172.16.0.0/12', '172.31.255.0/24', true],
    ['172.16.0.0/12', '172.32.0.0/16', false],
    ['fd00::/8', 'fd12:3456::/32', true],
    ['fd00::/8', 'fe80::/10', false],
    ['::/0', 'fd00::/8', true],
    ['2001:db8::/32', '2001:db8:ffff:ffff::/64', true],
    ['2001:db8::/33', '2001:db8:8000::/33', false],
    ['0.0.0.0/0', '::/0', false],
    ['::/0', '0.0.0.0/0', false],
    ['::ffff:0.0.0.0/96', '10.0.0.0/8', false],
  ])('%s contains %s: %s', (outer, inner, contains) => {
    expect(subnetContains(S(outer), S(inner))).toBe(contains);
  });
});

describe('splitSubnet', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/9', '10.128.0.0/9'],
    ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1'],
    ['172.16.0.0/12', '172.16.0.0/13', '172.24.0.0/13'],
    ['192.168.1.0/24', '192.168.1.0/25', '192.168.1.128/25'],
    ['10.0.0.4/31', '10.0.0.4/32', '10.0.0.5/32'],
    ['fd00::/8', 'fd00::/9', 'fd80::/9'],
    ['::/0', '::/1', '8000::/1'],
    ['2001:db8::/32', '2001:db8::/33', '2001:db8:8000::/33'],
    ['2001:db8::/63', '2001:db8::/64', '2001:db8:0:1::/64'],
    ['::/127', '::/128', '::1/128'],
    ['::ffff:0.0.0.0/96', '::ffff:0.0.0.0/97', '::ffff:128.0.0.0/97'],
  ])('%s -> %s + %s', (whole, low, high) => {
    const parent = S(whole);
    const [a, b] = splitSubnet(parent);
    expect([a.toString(), b.toString()]).toEqual([low, high]);
    expect(subnetEquals(a, S(low))).toBe(true);
    expect(subnetEquals(b, S(high))).toBe(true);
    expect(subnetContains(parent, a) && subnetContains(parent, b)).toBe(true);
    expect(subnetContains(a, b) || subnetContains(b, a)).toBe(false);
    expect(Object.isFrozen(a) && Object.isFrozen(b)).toBe(true);
    expect(parent.toString()).toBe(whole); // the parent is unchanged
  });

  it.each([
    ['10.0.0.1/32', 'cannot split 10.0.0.1/32: a /32 is a single address'],
    ['::1/128', 'cannot split ::1/128: a /128 is a single address'],
  ])('throws a RangeError at %s', (text, message) => {
    const err = thrownBy(() => splitSubnet(S(text))) as RangeError & { code?: string };
    expect(err).toBeInstanceOf(RangeError);
    expect(err.code).toBe('ERR_OUT_OF_RANGE');
    expect(err.message).toBe(message);
  });
});

describe('formatAddress', () => {
  it.each([
    [4, [192, 0, 2, 1], '192.0.2.1'],
    [4, [0, 0, 0, 0], '0.0.0.0'],
    [6, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], '2001:db8::1:0:0:1'],
    [6, new Array(16).fill(0), '::'],
    [6, [...new Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1], '::ffff:10.0.0.1'],
  ] as const)('IPv%s %j -> %s', (family, bytes, text) => {
    expect(formatAddress(family, Uint8Array.from(bytes))).toBe(text);
  });

  it('rejects a byte count that does not fit the family', () => {
    const err = thrownBy(() => formatAddress(4, new Uint8Array(16))) as RangeError & { code?: string };
    expect(err).toBeInstanceOf(RangeError);
    expect(err.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(err.message).toBe('An IPv4 address is 4 bytes; received 16 bytes');
    expect(() => formatAddress(6, new Uint8Array(4))).toThrow('An IPv6 address is 16 bytes; received 4 bytes');
    expect(() => formatAddress(5 as 4, new Uint8Array(4))).toThrow('The "family" argument must be 4 or 6; received 5');
  });
});

describe('parseInterfaceName', () => {
  it.each([
    'eth0',
    'lo',
    'a',
    'enp0s31f6',
    'wlp2s0',
    'br-1a2b3c4d5e6f', // docker bridge, exactly 15 bytes
    'veth.100',
    'wg_0',
    'x..y',
    '.a',
    '-',
    'a'.repeat(15),
    '€€€€€', // 5 × 3 bytes = 15 bytes
    'ééééééé1', // 7 × 2 + 1 = 15 bytes
    'ü', // C3 BC: no 0xa0 byte
    '😀😀😀', // 3 × 4 = 12 bytes
  ])('accepts %j', (name) => {
    expect(parseInterfaceName(name)).toBe(name);
    expect(isInterfaceName(name)).toBe(true);
  });

  it.each([
    ['empty', '', 'must not be empty'],
    ['16 ASCII bytes', 'a'.repeat(16), 'is 16 bytes long in UTF-8; the limit is 15 (IFNAMSIZ - 1)'],
    ['8 characters, 16 bytes', 'é'.repeat(8), 'is 16 bytes long in UTF-8; the limit is 15 (IFNAMSIZ - 1)'],
    ['15 multibyte bytes plus one', '€€€€€a', 'is 16 bytes long in UTF-8; the limit is 15 (IFNAMSIZ - 1)'],
    ['4 emoji', '😀😀😀😀', 'is 16 bytes long in UTF-8; the limit is 15 (IFNAMSIZ - 1)'],
    ['dot', '.', 'must not be "." or ".."'],
    ['dot-dot', '..', 'must not be "." or ".."'],
    ['space', 'a b', 'must not contain whitespace (U+0020 at index 1)'],
    ['tab', 'a\tb', 'must not contain whitespace (U+0009 at index 1)'],
    ['newline at end', 'eth0\n', 'must not contain whitespace (U+000A at index 4)'],
    ['no-break space', 'a\u00a0b', 'must not contain whitespace (U+00A0 at index 1)'],
    ['next line', 'a\u0085b', 'must not contain whitespace (U+0085 at index 1)'],
    ['ideographic space', 'a\u3000b', 'must not contain whitespace (U+3000 at index 1)'],
    ['line separator', 'a\u2028', 'must not contain whitespace (U+2028 at index 1)'],
    ['byte-order mark', '\ufeffeth0', 'must not contain whitespace (U+FEFF at index 0)'],
    ['slash', 'a/b', 'must not contain "/"'],
    ['colon alias', 'eth0:1', 'must not contain ":" ("eth0:1" is an address label, not an interface name)'],
    ['NUL', 'a\0b', 'must not contain NUL (at index 1)'],
    [
      'percent template',
      'eth%d',
      'must not contain "%" (the kernel takes such a name as a template like "eth%d" and picks the number itself)',
    ],
    ['à (C3 A0)', 'wlanà', 'must not contain "à" (U+00E0): its UTF-8 holds byte 0xa0, which the kernel\'s isspace() counts as whitespace'],
    [
      'Cyrillic Er (D0 A0)',
      'Рeth',
      'must not contain "Р" (U+0420): its UTF-8 holds byte 0xa0, which the kernel\'s isspace() counts as whitespace',
    ],
    [
      'U+2020 (E2 80 A0)',
      'a†',
      'must not contain "†" (U+2020): its UTF-8 holds byte 0xa0, which the kernel\'s isspace() counts as whitespace',
    ],
    ['lone surrogate', 'a\ud800', 'has a lone UTF-16 surrogate at index 1, which has no UTF-8 encoding'],
  ])('rejects %s (%j)', (_what, name, reason) => {
    const err = thrownBy(() => parseInterfaceName(name));
    expect(err).toBeInstanceOf(InvalidInterfaceNameError);
    expect(err).toBeInstanceOf(TypeError);
    const e = err as InvalidInterfaceNameError;
    expect(e.code).toBe('ERR_INVALID_INTERFACE_NAME');
    expect(e.name).toBe('InvalidInterfaceNameError');
    expect(e.input).toBe(name);
    expect(e.reason).toBe(reason);
    expect(e.message).toBe(`invalid interface name ${JSON.stringify(name)}: ${reason}`);
    expect(isInterfaceName(name)).toBe(false);
  });

  it('rejects non-strings', () => {
    const err = thrownBy(() => parseInterfaceName(0)) as InvalidInterfaceNameError;
    expect(err).toBeInstanceOf(InvalidInterfaceNameError);
    expect(err.reason).toBe('must be a string');
    expect(err.message).toBe('invalid interface name 0: must be a string');
    expect(isInterfaceName(undefined)).toBe(false);
  });

  it('has a 15-byte limit', () => {
    expect(INTERFACE_NAME_MAX_BYTES).toBe(15);
  });
});

describe('parseMacAddress', () => {
  it.each([
    ['aa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff'],
    ['AA:BB:CC:DD:EE:FF', 'aa:bb:cc:dd:ee:ff'],
    ['AA-BB-CC-DD-EE-FF', 'aa:bb:cc:dd:ee:ff'],
    ['aa-bb-cc-dd-ee-ff', 'aa:bb:cc:dd:ee:ff'],
    ['aabb.ccdd.eeff', 'aa:bb:cc:dd:ee:ff'],
    ['AaBb.CcDd.EeFf', 'aa:bb:cc:dd:ee:ff'],
    ['00:00:00:00:00:00', '00:00:00:00:00:00'],
    ['01-00-5E-00-00-FB', '01:00:5e:00:00:fb'],
    ['0200.5e10.0001', '02:00:5e:10:00:01'],
    ['Fe:0a:1B:2c:3D:4e', 'fe:0a:1b:2c:3d:4e'],
  ])('%s -> %s', (input, canonical) => {
    expect(parseMacAddress(input)).toBe(canonical);
    expect(isMacAddress(input)).toBe(true);
  });

  const expected = 'expected six hex octets as "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff" or "aabb.ccdd.eeff"';
  it.each([
    ['empty', '', 'must not be empty'],
    ['five octets', 'aa:bb:cc:dd:ee', expected],
    ['seven octets', 'aa:bb:cc:dd:ee:ff:00', expected],
    ['no separators', 'aabbccddeeff', expected],
    ['single-digit octets', 'a:b:c:d:e:f', expected],
    ['three-digit octet', 'aaa:bb:cc:dd:ee:ff', expected],
    ['dotted octets', 'aa.bb.cc.dd.ee.ff', expected],
    ['colon quads', 'aabb:ccdd:eeff', expected],
    ['short quad', 'aabb.ccdd.eef', expected],
    ['double colon', 'aa::bb:cc:dd:ee', expected],
    ['mixed separators', 'aa:bb-cc:dd:ee:ff', `mixes separators; ${expected}`],
    ['non-hex digit', 'aa:bb:cc:dd:ee:fg', `"g" is not a hex digit or separator; ${expected}`],
    ['trailing space', 'aa:bb:cc:dd:ee:ff ', `" " is not a hex digit or separator; ${expected}`],
    ['EUI-64', '00:11:22:33:44:55:66:77', expected],
  ])('rejects %s (%j)', (_what, input, reason) => {
    const err = thrownBy(() => parseMacAddress(input));
    expect(err).toBeInstanceOf(InvalidMacAddressError);
    expect(err).toBeInstanceOf(TypeError);
    const e = err as InvalidMacAddressError;
    expect(e.code).toBe('ERR_INVALID_MAC_ADDRESS');
    expect(e.name).toBe('InvalidMacAddressError');
    expect(e.input).toBe(input);
    expect(e.reason).toBe(reason);
    expect(e.message).toBe(`invalid MAC address ${JSON.stringify(input)}: ${reason}`);
    expect(isMacAddress(input)).toBe(false);
  });

  it('rejects non-strings', () => {
    const err = thrownBy(() => parseMacAddress(null)) as InvalidMacAddressError;
    expect(err).toBeInstanceOf(InvalidMacAddressError);
    expect(err.message).toBe('invalid MAC address null: must be a string');
  });

  it('macToBytes gives the six octets', () => {
    expect(Array.from(macToBytes(parseMacAddress('AA-BB-CC-DD-EE-FF')))).toEqual([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
    expect(Array.from(macToBytes(parseMacAddress('0200.5e10.0001')))).toEqual([2, 0, 0x5e, 0x10, 0, 1]);
    // An unchecked cast does not slip through.
    expect(() => macToBytes('nonsense' as MacAddress)).toThrow(InvalidMacAddressError);
  });

  it.each([
    ['01:00:5e:00:00:fb', true], // IPv4 multicast (mDNS)
    ['33:33:00:00:00:01', true], // IPv6 multicast
    ['ff:ff:ff:ff:ff:ff', true], // broadcast
    ['03:00:00:00:00:00', true],
    ['00:1a:2b:3c:4d:5e', false],
    ['02:42:ac:11:00:02', false], // locally administered unicast
    ['fe:ff:ff:ff:ff:ff', false],
  ])('isMulticastMac(%s) is %s', (mac, multicast) => {
    expect(isMulticastMac(parseMacAddress(mac))).toBe(multicast);
  });
});
