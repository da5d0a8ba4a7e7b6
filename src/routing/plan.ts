// Decides which routes hostwire must install or remove for one subnet, from
// the routes the kernel has now. Pure: the same inputs always give the same
// plan, so the conflict rules are testable without a kernel.
import { HOSTWIRE_ROUTE_PROTOCOL, routeProtocolName } from '../netlink/constants.js';
import type { Route } from '../netlink/types.js';
import { badArg, checkFunction, checkInteger, invalidArg } from '../common/args.js';
import { RouteError } from './errors.js';
import { isSubnet, splitSubnet, type Subnet } from './parse.js';

/**
 * What to do when another owner (a VPN, an admin) already routes the subnet:
 * - `split` (default): leave its route alone and install the two
 *   more-specific halves, which win by longest-prefix match;
 * - `fail`: stop with a RouteError of kind 'conflict';
 * - `replace`: delete the other route and install hostwire's.
 */
export type ConflictPolicy = 'split' | 'fail' | 'replace';

export type RouteMode = 'whole' | 'split' | 'replaced';

export interface RoutePlan {
  mode: RouteMode;
  /** The subnets hostwire's routes should cover once the plan is carried out. */
  desired: Subnet[];
  /** hostwire routes to install or move onto the device. */
  install: Subnet[];
  /** hostwire routes no longer wanted (e.g. the halves once the other owner's route is gone). */
  remove: Subnet[];
  /** Other owners' routes to delete (policy `replace` only). */
  removeForeign: Subnet[];
  /** Other owners' routes for the subnet, as found. */
  foreign: Route[];
}

export const isHostwireRoute = (route: Route): boolean => checkRoute(route).protocol === HOSTWIRE_ROUTE_PROTOCOL;

/** A Subnet argument, as only `parseSubnet` and its helpers make them (ERR_INVALID_ARG_TYPE otherwise). */
export function checkSubnet(value: unknown, name = 'subnet'): Subnet {
  if (!isSubnet(value)) throw invalidArg(name, 'a Subnet (see parseSubnet)', value);
  return value;
}

export function checkPolicy(policy: unknown): ConflictPolicy {
  if (policy === 'split' || policy === 'fail' || policy === 'replace') return policy;
  throw badArg('policy', '"split", "fail" or "replace"', policy, 'string');
}

function checkRoute(route: Route): Route {
  if (route === null || typeof route !== 'object') throw invalidArg('route', 'a route', route);
  return route;
}

/** The subnets hostwire may route for `subnet`: itself and its two halves. */
export function candidateSubnets(subnet: Subnet): Subnet[] {
  checkSubnet(subnet);
  return subnet.prefix < (subnet.family === 4 ? 32 : 128) ? [subnet, ...splitSubnet(subnet)] : [subnet];
}

/**
 * @param routesFor the kernel's routes (main table) for exactly one subnet
 * @param oif the device index hostwire's routes must point at
 * @param deviceName names a device index in conflict messages (else "#index")
 */
export function planRoutes(
  subnet: Subnet,
  oif: number,
  policy: ConflictPolicy,
  routesFor: (s: Subnet) => Route[],
  deviceName: (oif: number) => string | null = () => null,
): RoutePlan {
  checkSubnet(subnet);
  checkInteger('oif', oif, 1, 0x7fffffff);
  checkPolicy(policy);
  checkFunction('routesFor', routesFor);
  checkFunction('deviceName', deviceName);
  const describe = (routes: Route[]) => describeRoutes(routes, deviceName);
  const foreign = routesFor(subnet).filter((r) => !isHostwireRoute(r));
  let mode: RouteMode = 'whole';
  let desired = [subnet];
  let removeForeign: Subnet[] = [];
  if (foreign.length > 0) {
    if (policy === 'fail') {
      throw new RouteError(
        'conflict',
        `${subnet} is already routed by ${describe(foreign)}; policy "fail" leaves it alone`,
        String(subnet),
      );
    }
    if (policy === 'replace') {
      mode = 'replaced';
      removeForeign = [subnet];
    } else {
      const halves = candidateSubnets(subnet).slice(1);
      if (halves.length === 0) {
        throw new RouteError('conflict', `${subnet} is already routed by ${describe(foreign)} and cannot be split`, String(subnet));
      }
      for (const half of halves) {
        const taken = routesFor(half).filter((r) => !isHostwireRoute(r));
        if (taken.length > 0) {
          throw new RouteError(
            'conflict',
            `${subnet} is already routed by ${describe(foreign)}, and so is its half ${half} (${describe(taken)}); nothing left to route`,
            String(subnet),
          );
        }
      }
      mode = 'split';
      desired = halves;
    }
  }
  const isDesired = (s: Subnet) => desired.some((d) => String(d) === String(s));
  const install = desired.filter((d) => {
    const ours = routesFor(d).filter(isHostwireRoute);
    return ours.length !== 1 || ours[0]!.oif !== oif;
  });
  const remove = candidateSubnets(subnet).filter((s) => !isDesired(s) && routesFor(s).some(isHostwireRoute));
  return { mode, desired, install, remove, removeForeign, foreign };
}

function describeRoutes(routes: Route[], deviceName: (oif: number) => string | null): string {
  const dev = (oif: number) => ` dev ${deviceName(oif) ?? `#${oif}`}`;
  return routes
    .map((r) => `proto ${routeProtocolName(r.protocol)}${r.oif === null ? '' : dev(r.oif)}${r.gateway ? ` via ${r.gateway}` : ''}`)
    .join(', ');
}
