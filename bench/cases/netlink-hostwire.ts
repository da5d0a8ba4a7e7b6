// hostwire's rtnetlink API for the netlink section. Runs in the host
// namespace: Netlink.open({ netns }) opens its socket inside /run/netns/NETNS.
//   node --import tsx bench/cases/netlink-hostwire.ts NETNS OP RUNS OPS
// OP "route": replaceRoute() of 10.77.0.0/16 dev br0, protocol 176 (hostwire), scope link
//             (sync; the kernel's ack is checked before it returns).
// OP "fdb":   listFdb() — a full AF_BRIDGE RTM_GETNEIGH dump returned as
//             { mac, ifindex, master, vlan, state, flags } entries.
// Prints {nsPerOp: ns per operation for each run, entries: FDB entries seen (fdb)}.
import { HOSTWIRE_ROUTE_PROTOCOL, Netlink } from '../../src/netlink/index.js';
import { timeOps } from '../lib/op-loop.js';

const [netns, op, runsText, opsText] = process.argv.slice(2) as [string, 'route' | 'fdb', string, string];
const runs = Number(runsText);
const ops = Number(opsText);

const nl = Netlink.open({ netns });
const br = nl.linkByName('br0');
if (!br) throw new Error(`no br0 in network namespace ${netns}`);
const route = { dst: '10.77.0.0', prefix: 16, oif: br.index, protocol: HOSTWIRE_ROUTE_PROTOCOL, scope: 'link' } as const;

let entries = 0;
const once: () => void =
  op === 'route'
    ? () => {
        nl.replaceRoute(route);
      }
    : () => {
        entries = nl.listFdb().length;
      };

const nsPerOp = await timeOps(once, runs, ops);
nl.close();
console.log(JSON.stringify(op === 'fdb' ? { nsPerOp, entries } : { nsPerOp }));
