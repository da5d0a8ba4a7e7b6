// The machine config and its TOML form (snake_case keys). Decoding checks
// every known key's type and reports the file, line and column of a bad
// value; keys this version does not know are kept and written back.
//
// One integer rule for the numeric keys: a TOML integer (not a float such as
// 1.0, not a string), within ±(2^53-1) so that it is exact as a JS number.
// The TOML is parsed with every integer as a bigint, which is what tells 1
// from 1.0; unknown keys get small integers back as numbers, as before.
import { parse, stringify, TomlDate, TomlError } from 'smol-toml';
import { checkObject, invalidArg } from '../common/args.js';
import { makeError } from '../common/errors.js';
import { MachineConfigError } from './errors.js';
import { parseMachineName, type MachineName } from './name.js';
import { fromPersistedState, PERSISTED_STATES, toPersistedState, type LiveState, type PersistedState } from './state.js';

export interface BlockDevice {
  path: string;
  readOnly: boolean;
  /** Keys of this entry that this version does not know, kept verbatim. */
  extra?: Record<string, unknown>;
}

export interface MachineConfig {
  name: MachineName;
  cpus: number;
  memoryMb: number;
  diskGb: number;
  kernel?: string;
  cmdline?: string;
  blockDevices?: BlockDevice[];
  distro?: string;
  distroVersion?: string;
  diskPath?: string;
  sshKeyPath?: string;
  ipAddress?: string;
  state: LiveState;
  /** Stable identity (MAC addresses derive from it): set once, never changed. */
  vmId?: string;
  /** RFC 3339 creation time: set on first save, never changed. */
  createdAt?: string;
  /** Keys written by a newer hostwire, kept verbatim and written back. */
  extra?: Record<string, unknown>;
}

/** A config as loaded, with what its persisted state means now. */
export interface LoadedMachine {
  config: MachineConfig;
  /** Persisted as running: the daemon died while the machine was up. */
  needsRecovery: boolean;
  path: string;
}

const OPTIONAL_STRINGS = [
  ['kernel', 'kernel'],
  ['cmdline', 'cmdline'],
  ['distro', 'distro'],
  ['distro_version', 'distroVersion'],
  ['disk_path', 'diskPath'],
  ['ssh_key_path', 'sshKeyPath'],
  ['ip_address', 'ipAddress'],
  ['vm_id', 'vmId'],
] as const;

const KNOWN_KEYS = new Set([
  'name',
  'cpus',
  'memory_mb',
  'disk_gb',
  'block_devices',
  'state',
  'created_at',
  ...OPTIONAL_STRINGS.map(([key]) => key),
]);

/** Serialises a config; the persisted state is derived from the live one. */
export function encodeConfig(config: MachineConfig): string {
  checkObject(config, 'config');
  const doc: Record<string, unknown> = {
    name: config.name,
    cpus: config.cpus,
    memory_mb: config.memoryMb,
    disk_gb: config.diskGb,
  };
  for (const [key, field] of OPTIONAL_STRINGS) {
    if (field === 'vmId') continue;
    const value = config[field];
    if (value !== undefined) doc[key] = value;
  }
  doc.state = toPersistedState(config.state);
  if (config.vmId !== undefined) doc.vm_id = config.vmId;
  if (config.createdAt !== undefined) doc.created_at = config.createdAt;
  for (const [key, value] of Object.entries(config.extra ?? {})) {
    if (!KNOWN_KEYS.has(key)) doc[key] = value;
  }
  // Arrays of tables go last so that unknown plain keys stay top-level.
  if (config.blockDevices !== undefined && !Array.isArray(config.blockDevices)) {
    throw invalidArg('config.blockDevices', 'an array', config.blockDevices);
  }
  if (config.blockDevices !== undefined && config.blockDevices.length > 0) {
    doc.block_devices = config.blockDevices.map((d) => ({
      ...checkObject(d, 'config.blockDevices[]').extra,
      path: d.path,
      read_only: d.readOnly,
    }));
  }
  let text: string;
  try {
    text = stringify(doc);
  } catch (err) {
    // A value TOML cannot hold (a function, a symbol) among the unknown keys.
    throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The "config" argument cannot be written as TOML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return `${text}\n`;
}

/** Parses a config file's text; throws MachineConfigError naming `path`. */
export function decodeConfig(text: string, path: string): { config: MachineConfig; needsRecovery: boolean } {
  if (typeof text !== 'string') throw invalidArg('text', 'a string', text);
  if (typeof path !== 'string') throw invalidArg('path', 'a string', path);
  let doc: Record<string, unknown>;
  try {
    doc = parse(text, { integersAsBigInt: true });
  } catch (err) {
    if (err instanceof TomlError) {
      const detail = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, 'invalid TOML: ');
      throw new MachineConfigError(path, detail, err.line, err.column, { cause: err });
    }
    // Anything else the parser throws is still this file's fault, and leaves with a code.
    throw new MachineConfigError(path, `invalid TOML: ${(err as Error)?.message ?? String(err)}`, null, null, { cause: err });
  }
  const fail = (key: string, detail: string): never => {
    const { line, column } = locateKey(text, key);
    throw new MachineConfigError(path, `${key}: ${detail}`, line, column);
  };
  const required = <T>(key: string, check: (v: unknown) => T): T => {
    if (!(key in doc)) fail(key, 'missing');
    return check(doc[key]);
  };
  const integer =
    (key: string, min: number) =>
    (v: unknown): number => {
      const problem = integerProblem(v, min);
      return problem === null ? Number(v) : fail(key, problem);
    };
  const string =
    (key: string) =>
    (v: unknown): string =>
      typeof v === 'string' ? v : fail(key, `expected a string, found ${describe(v)}`);

  const nameText = required('name', string('name'));
  let name: MachineName;
  try {
    name = parseMachineName(nameText);
  } catch (err) {
    return fail('name', (err as Error).message);
  }
  const persisted = required('state', (v) => {
    if (typeof v !== 'string') return fail('state', `expected one of ${PERSISTED_STATES.join(', ')}, found ${describe(v)}`);
    if ((PERSISTED_STATES as readonly string[]).includes(v)) return v as PersistedState;
    return fail('state', `${JSON.stringify(v)} is not one of ${PERSISTED_STATES.join(', ')}`);
  });
  const { state, needsRecovery } = fromPersistedState(persisted);
  const config: MachineConfig = {
    name,
    cpus: required('cpus', integer('cpus', INTEGER_MIN.cpus)),
    memoryMb: required('memory_mb', integer('memory_mb', INTEGER_MIN.memory_mb)),
    diskGb: required('disk_gb', integer('disk_gb', INTEGER_MIN.disk_gb)),
    state,
  };
  for (const [key, field] of OPTIONAL_STRINGS) {
    if (key in doc) config[field] = string(key)(doc[key]);
  }
  if ('created_at' in doc) {
    const v = doc.created_at;
    // A TOML datetime literal is accepted too (written by hand); it is kept as its RFC 3339 text.
    const text = v instanceof TomlDate ? v.toISOString() : string('created_at')(v);
    if (Number.isNaN(Date.parse(text))) fail('created_at', `not an RFC 3339 date-time: ${JSON.stringify(text)}`);
    config.createdAt = text;
  }
  if ('block_devices' in doc) {
    const list = doc.block_devices;
    if (!Array.isArray(list)) fail('block_devices', `expected an array of tables, found ${describe(list)}`);
    config.blockDevices = (list as unknown[]).map((entry, i) => {
      const where = `block_devices[${i}]`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        return fail('block_devices', `${where}: expected a table, found ${describe(entry)}`);
      }
      const e = entry as Record<string, unknown>;
      if (typeof e.path !== 'string') return fail('block_devices', `${where}.path: expected a string, found ${describe(e.path)}`);
      const readOnly = e.read_only ?? false;
      if (typeof readOnly !== 'boolean') {
        return fail('block_devices', `${where}.read_only: expected a boolean, found ${describe(readOnly)}`);
      }
      const { path: _path, read_only: _readOnly, ...unknown } = e;
      return Object.keys(unknown).length > 0
        ? { path: e.path, readOnly, extra: smallIntegersAsNumbers(unknown) as Record<string, unknown> }
        : { path: e.path, readOnly };
    });
  }
  const extra = Object.fromEntries(
    Object.entries(doc)
      .filter(([key]) => !KNOWN_KEYS.has(key))
      .map(([k, v]) => [k, smallIntegersAsNumbers(v)]),
  );
  if (Object.keys(extra).length > 0) config.extra = extra;
  return { config, needsRecovery };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INTEGER_MIN = { cpus: 1, memory_mb: 1, disk_gb: 0 } as const;

/** What breaks the integer rule in a value as parsed (integers are bigints), or null. */
function integerProblem(v: unknown, min: number): string | null {
  if (typeof v === 'number') {
    const hint = Number.isSafeInteger(v) ? ` (write ${v})` : '';
    return `${tomlFloat(v)} is not an integer${hint}`;
  }
  if (typeof v === 'string') return `${JSON.stringify(v)} is a string, not an integer`;
  if (typeof v !== 'bigint') return `expected an integer, found ${describe(v)}`;
  if (v < BigInt(min)) return `must be at least ${min}, found ${v}`;
  if (v > MAX_SAFE) return `${v} is larger than 2^53-1`;
  return null;
}

/**
 * The integer rule applied to a config about to be written, in the decoder's
 * words ("memory_mb: 1.5 is not an integer"), or null when it holds.
 */
export function integerFieldProblem(config: MachineConfig): string | null {
  const fields = [
    ['cpus', config.cpus],
    ['memory_mb', config.memoryMb],
    ['disk_gb', config.diskGb],
  ] as const;
  for (const [key, value] of fields) {
    // A JS number that is a whole number is what a TOML integer would be; anything else is judged as it is.
    const asParsed = typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
    const problem = integerProblem(asParsed, INTEGER_MIN[key]);
    if (problem !== null) return `${key}: ${problem}`;
  }
  return null;
}

/** A TOML float as it would be written: 1.0, 1.5, inf, nan. */
function tomlFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? `${v}.0` : String(v);
}

/**
 * Unknown keys as they always came back: integers within 2^53 as numbers,
 * larger ones as bigints (what smol-toml's 'asNeeded' gives). Tables and
 * arrays are walked; dates and other objects are left alone.
 */
function smallIntegersAsNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
  if (Array.isArray(v)) return v.map(smallIntegersAsNumbers);
  if (typeof v === 'object' && v !== null) {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === null || proto === Object.prototype) {
      const out = Object.create(proto) as Record<string, unknown>;
      for (const [k, inner] of Object.entries(v)) out[k] = smallIntegersAsNumbers(inner);
      return out;
    }
  }
  return v;
}

/** Where `key = …` stands in the text (1-based), for error messages. */
function locateKey(text: string, key: string): { line: number | null; column: number | null } {
  const lines = text.split('\n');
  const pattern = new RegExp(`^(\\s*)(["']?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\2\\s*=`);
  for (let i = 0; i < lines.length; i++) {
    const m = pattern.exec(lines[i]!);
    if (m) return { line: i + 1, column: m[1]!.length + 1 };
    if (lines[i]!.trim() === `[[${key}]]`) return { line: i + 1, column: 1 };
  }
  return { line: null, column: null };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof TomlDate) return `a date-time (${v.toISOString()})`;
  if (typeof v === 'string') return `a string (${JSON.stringify(v)})`;
  if (typeof v === 'bigint') return `an integer (${v})`;
  if (typeof v === 'object' && v !== null) return 'a table';
  return `${typeof v === 'number' && !Number.isInteger(v) ? 'a float' : `a ${typeof v}`} (${String(v)})`;
}
