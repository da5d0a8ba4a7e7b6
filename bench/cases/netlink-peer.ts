// The `netlink` npm package (mildsunrise/node_netlink) as the library peer
// for the netlink section. It has no way to open its socket in another
// network namespace, so the bench starts this process inside it
// (`ip netns exec NETNS node …`, see runCaseInNetns) and it works on the
// namespace it finds itself in. In its own process:
//   ip netns exec NETNS node --import tsx bench/cases/netlink-peer.ts OP RUNS OPS
// OP "route": newRoute() of 10.77.0.0/16 dev br0, table main, protocol 0xb0,
//             scope link, flags REQUEST|ACK|CREATE|REPLACE, awaited one at a time.
// OP "fdb":   getNeighbors({ family: AF_BRIDGE }) — a full RTM_GETNEIGH dump the
//             package parses into message objects — mapped to
//             { mac, ifindex, master, vlan, state, flags } entries (the MAC as a string).
// Prints {nsPerOp: ns per operation for each run, entries: FDB entries seen (fdb)}.
import { networkInterfaces } from 'node:os';
import { timeOps } from '../lib/op-loop.js';
import * as peers from '../lib/peers.js';

const { createRtNetlink, FlagsNew } = peers.netlink();

const [op, runsText, opsText] = process.argv.slice(2) as ['route' | 'fdb', string, string];
const runs = Number(runsText);
const ops = Number(opsText);
const AF_INET = 2;
const AF_BRIDGE = 7;
const HOSTWIRE_RTPROT = 0xb0;

const socket = createRtNetlink();
const links = await socket.getLinks();
const br0 = links.find((l) => l.attrs.ifname === 'br0');
if (br0?.data.index === undefined)
  throw new Error(`no br0 here: is this process in the bench namespace? (${Object.keys(networkInterfaces()).join(', ')})`);
const oif = br0.data.index;

const hex = (b: number) => b.toString(16).padStart(2, '0');
const macString = (m: Buffer) => `${hex(m[0]!)}:${hex(m[1]!)}:${hex(m[2]!)}:${hex(m[3]!)}:${hex(m[4]!)}:${hex(m[5]!)}`;

let entries = 0;
const routeData = {
  family: AF_INET,
  dstLen: 16,
  table: 254, // RT_TABLE_MAIN
  protocol: HOSTWIRE_RTPROT, // not one of the package's named protocols
  scope: 'LINK',
  type: 'UNICAST',
};
const routeAttrs = { dst: Buffer.from([10, 77, 0, 0]), oif };
const routeOptions = { flags: FlagsNew.CREATE | FlagsNew.REPLACE };

const once: () => Promise<void> =
  op === 'route'
    ? async () => {
        // Resolves after the kernel's ack; rejects on an error ack.
        await socket.newRoute(routeData, routeAttrs, routeOptions);
      }
    : async () => {
        const messages = await socket.getNeighbors({ family: AF_BRIDGE });
        const list = messages.map((m) => ({
          mac: m.attrs.lladdr ? macString(m.attrs.lladdr) : '',
          ifindex: m.data.ifindex,
          master: m.attrs.master,
          vlan: m.attrs.vlan,
          state: m.data.state,
          flags: m.data.flags,
        }));
        entries = list.length;
      };

const nsPerOp = await timeOps(once, runs, ops);
socket.socket.close();
console.log(JSON.stringify(op === 'fdb' ? { nsPerOp, entries } : { nsPerOp }));
