// Typed errors of the routing boundary parsers. Each says which input was
// wrong and why, carries the reason on its own, and a stable `code` to branch on.

function show(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (typeof input === 'number' || typeof input === 'boolean' || input == null) return String(input);
  if (typeof input === 'bigint') return `${input}n`;
  return `(${typeof input})`;
}

/** A subnet that is not `address/prefix` with a valid address, an in-range prefix and no host bits set. */
export class InvalidSubnetError extends TypeError {
  readonly code = 'ERR_INVALID_SUBNET';
  /** The masked network when only host bits were wrong: `did you mean 172.16.0.0/12?`. */
  readonly hint?: string;
  constructor(
    readonly input: unknown,
    readonly reason: string,
    hint?: string,
  ) {
    super(`invalid subnet ${show(input)}: ${reason}${hint === undefined ? '' : `; ${hint}`}`);
    this.name = 'InvalidSubnetError';
    if (hint !== undefined) this.hint = hint;
  }
}

/** A network interface name the kernel's dev_valid_name() would refuse. */
export class InvalidInterfaceNameError extends TypeError {
  readonly code = 'ERR_INVALID_INTERFACE_NAME';
  constructor(
    readonly input: unknown,
    readonly reason: string,
  ) {
    super(`invalid interface name ${show(input)}: ${reason}`);
    this.name = 'InvalidInterfaceNameError';
  }
}

/** A MAC address not in one of the three accepted shapes. */
export class InvalidMacAddressError extends TypeError {
  readonly code = 'ERR_INVALID_MAC_ADDRESS';
  constructor(
    readonly input: unknown,
    readonly reason: string,
  ) {
    super(`invalid MAC address ${show(input)}: ${reason}`);
    this.name = 'InvalidMacAddressError';
  }
}
