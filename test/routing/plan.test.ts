// The conflict rules, without a kernel: planRoutes() is pure.
import { describe, expect, it } from 'vitest';
import { HOSTWIRE_ROUTE_PROTOCOL, type Route } from '../../src/netlink/index.js';
import { planRoutes, parseSubnet, RouteError, type Subnet } from '../../src/routing/index.js';

const subnet = parseSubnet('172.16.0.0/12');
const BR = 7;

function route(cidr: string, protocol: number, oif: number | null = BR): Route {
  const [dst, prefix] = cidr.split('/');
  return {
    family: 4,
    dst: dst!,
    prefix: Number(prefix),
    table: 254,
    protocol,
    scope: 253,
    type: 1,
    oif,
    gateway: null,
    prefsrc: null,
    metric: null,
    multipath: false,
  };
}

function table(...routes: Route[]): (s: Subnet) => Route[] {
  return (s) => routes.filter((r) => r.dst === s.address && r.prefix === s.prefix);
}

const ours = (cidr: string, oif = BR) => route(cidr, HOSTWIRE_ROUTE_PROTOCOL, oif);
const vpn = (cidr: string) => route(cidr, 4 /* static */, 99);
const names = (subnets: Subnet[]) => subnets.map(String);

describe('planRoutes', () => {
  it('installs the whole subnet when nothing routes it', () => {
    const plan = planRoutes(subnet, BR, 'split', table());
    expect(plan.mode).toBe('whole');
    expect(names(plan.install)).toEqual(['172.16.0.0/12']);
    expect(plan.remove).toEqual([]);
    expect(plan.removeForeign).toEqual([]);
  });

  it('does nothing when hostwire already routes it to the bridge', () => {
    const plan = planRoutes(subnet, BR, 'split', table(ours('172.16.0.0/12')));
    expect(plan.install).toEqual([]);
    expect(names(plan.desired)).toEqual(['172.16.0.0/12']);
  });

  it('moves a hostwire route that points at another device', () => {
    const plan = planRoutes(subnet, BR, 'split', table(ours('172.16.0.0/12', 3)));
    expect(names(plan.install)).toEqual(['172.16.0.0/12']);
  });

  it('split: leaves a foreign route alone and installs the two /13 halves', () => {
    const plan = planRoutes(subnet, BR, 'split', table(vpn('172.16.0.0/12')));
    expect(plan.mode).toBe('split');
    expect(names(plan.install)).toEqual(['172.16.0.0/13', '172.24.0.0/13']);
    expect(plan.removeForeign).toEqual([]);
    expect(plan.foreign).toHaveLength(1);
  });

  it("split: drops hostwire's whole route once a foreign one appears, and the halves once it is gone", () => {
    const splitPlan = planRoutes(subnet, BR, 'split', table(vpn('172.16.0.0/12'), ours('172.16.0.0/12')));
    expect(names(splitPlan.remove)).toEqual(['172.16.0.0/12']);
    const backPlan = planRoutes(subnet, BR, 'split', table(ours('172.16.0.0/13'), ours('172.24.0.0/13')));
    expect(backPlan.mode).toBe('whole');
    expect(names(backPlan.install)).toEqual(['172.16.0.0/12']);
    expect(names(backPlan.remove)).toEqual(['172.16.0.0/13', '172.24.0.0/13']);
  });

  it('split: a conflict when a half is taken too', () => {
    const routes = table(vpn('172.16.0.0/12'), vpn('172.24.0.0/13'));
    expect(() => planRoutes(subnet, BR, 'split', routes)).toThrow(
      expect.objectContaining({ kind: 'conflict', code: 'ERR_ROUTE_CONFLICT', message: expect.stringContaining('its half 172.24.0.0/13') }),
    );
  });

  it('fail: a typed conflict naming the other owner', () => {
    let caught: unknown;
    try {
      planRoutes(subnet, BR, 'fail', table(vpn('172.16.0.0/12')));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RouteError);
    expect(caught).toMatchObject({ kind: 'conflict', code: 'ERR_ROUTE_CONFLICT', subnet: '172.16.0.0/12', retryable: false });
    expect((caught as Error).message).toBe('172.16.0.0/12 is already routed by proto static dev #99; policy "fail" leaves it alone');
  });

  it('replace: deletes the foreign route and installs the whole subnet', () => {
    const plan = planRoutes(subnet, BR, 'replace', table(vpn('172.16.0.0/12')));
    expect(plan.mode).toBe('replaced');
    expect(names(plan.removeForeign)).toEqual(['172.16.0.0/12']);
    expect(names(plan.install)).toEqual(['172.16.0.0/12']);
  });

  it('a /32 cannot be split', () => {
    const host = parseSubnet('10.0.0.1/32');
    expect(() => planRoutes(host, BR, 'split', table(vpn('10.0.0.1/32')))).toThrow(/cannot be split/);
  });
});
