// Typed errors of the routing boundary parsers. Each says which input was
// wrong and why, carries the reason on its own, and a stable `code` to branch on.
import { HostwireError, HostwireRangeError, HostwireTypeError } from '../common/errors.js';

function show(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (typeof input === 'number' || typeof input === 'boolean' || input == null) return String(input);
  if (typeof input === 'bigint') return `${input}n`;
  return `(${typeof input})`;
}

/** A subnet that is not `address/prefix` with a valid address, an in-range prefix and no host bits set. */
export class InvalidSubnetError extends HostwireTypeError {
  declare readonly code: 'ERR_INVALID_SUBNET';
  /** The masked network when only host bits were wrong: `did you mean 172.16.0.0/12?`. */
  readonly hint?: string;
  constructor(
    readonly input: unknown,
    readonly reason: string,
    hint?: string,
  ) {
    super('ERR_INVALID_SUBNET', `invalid subnet ${show(input)}: ${reason}${hint === undefined ? '' : `; ${hint}`}`);
    if (hint !== undefined) this.hint = hint;
  }
}

/** A network interface name the kernel's dev_valid_name() would refuse. */
export class InvalidInterfaceNameError extends HostwireTypeError {
  declare readonly code: 'ERR_INVALID_INTERFACE_NAME';
  constructor(
    readonly input: unknown,
    readonly reason: string,
  ) {
    super('ERR_INVALID_INTERFACE_NAME', `invalid interface name ${show(input)}: ${reason}`);
  }
}

/** A MAC address not in one of the three accepted shapes. */
export class InvalidMacAddressError extends HostwireTypeError {
  declare readonly code: 'ERR_INVALID_MAC_ADDRESS';
  constructor(
    readonly input: unknown,
    readonly reason: string,
  ) {
    super('ERR_INVALID_MAC_ADDRESS', `invalid MAC address ${show(input)}: ${reason}`);
  }
}

/**
 * A subnet wider than hostwire routes unless told to: a route that wide
 * overrides most of the host's routing (0.0.0.0/0 is the default route's own
 * key, and its halves would take all traffic from it).
 */
export class SubnetTooWideError extends HostwireRangeError {
  declare readonly code: 'ERR_SUBNET_TOO_WIDE';
  constructor(
    /** The subnet refused, `address/prefix`. */
    readonly subnet: string,
    /** The shortest prefix allowed without the option: 8 for IPv4, 16 for IPv6. */
    readonly limit: number,
  ) {
    super(
      'ERR_SUBNET_TOO_WIDE',
      `refusing to route ${subnet}: it is wider than /${limit}, the widest IPv${subnet.includes(':') ? 6 : 4} subnet ` +
        "routed without allowWideSubnet: true (a route this wide takes traffic from the host's own routes, the default route included)",
    );
  }
}

/**
 * Why a route could not be put in place. The first three are retried by
 * ensureRoute(); 'not-permitted' (EPERM/EACCES: the process lacks
 * CAP_NET_ADMIN) never succeeds on retry, so it is not, and neither is
 * 'not-a-bridge' (the device named as the bridge is some other kind).
 */
export type RouteErrorKind =
  'bridge-not-ready' | 'executor-unavailable' | 'route-failed' | 'not-permitted' | 'not-a-bridge' | 'conflict' | 'aborted';

const ROUTE_ERROR_CODES = {
  'bridge-not-ready': 'ERR_ROUTE_BRIDGE_NOT_READY',
  'executor-unavailable': 'ERR_ROUTE_EXECUTOR_UNAVAILABLE',
  'route-failed': 'ERR_ROUTE_FAILED',
  'not-permitted': 'ERR_ROUTE_NOT_PERMITTED',
  'not-a-bridge': 'ERR_NOT_A_BRIDGE',
  conflict: 'ERR_ROUTE_CONFLICT',
  aborted: 'ERR_ROUTE_ABORTED',
} as const;

export type RouteErrorCode = (typeof ROUTE_ERROR_CODES)[RouteErrorKind];

/** The final error of a route operation: `kind` says what went wrong, `attempts` how often it was tried. */
export class RouteError extends HostwireError {
  declare readonly code: RouteErrorCode;
  /** Attempts made before giving up (1 when the failure is not retryable). */
  attempts = 1;
  constructor(
    readonly kind: RouteErrorKind,
    message: string,
    readonly subnet: string,
    options?: { cause?: unknown },
  ) {
    super(ROUTE_ERROR_CODES[kind], message, options);
  }

  get retryable(): boolean {
    return this.kind === 'bridge-not-ready' || this.kind === 'executor-unavailable' || this.kind === 'route-failed';
  }
}

/**
 * Thrown by a RouteExecutor that cannot do its work at all right now (no
 * privileged helper listening, no netlink socket): ensureRoute() reports it as
 * kind 'executor-unavailable' and removeRoute() as outcome 'executor-unavailable'.
 */
export class ExecutorUnavailableError extends HostwireError {
  declare readonly code: 'ERR_ROUTE_EXECUTOR_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_ROUTE_EXECUTOR_UNAVAILABLE', message, options);
  }
}
