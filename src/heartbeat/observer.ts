// The observer: receives VLP frames in recvmmsg batches, decodes them in the
// addon, checks them against the kernel's word on the sender (uid, pid, and
// the process's start time when a sequence restarts), tracks each agent, and
// synthesizes a stall when an agent falls silent.
import { performance } from 'node:perf_hooks';
import { DgramReceiver, type ReceivedBatch } from '../dgram/receiver.js';
import { Field, FIELD_COUNT } from '../vlp/codec.js';
import { FRAME_SIZE, Status, STATUS_NAMES, VLP_V1, VLP_V2, type StatusName, type VlpVersion } from '../vlp/constants.js';
import { DECODE_ERROR_KINDS, type DecodeErrorKind } from '../vlp/errors.js';
import { checkInteger, checkNumber, checkOptions, invalidArg, invalidValue } from '../common/args.js';
import { Resource, signalBeforeOpen } from '../common/lifecycle.js';
import { native } from '../native.js';
import { readPidNamespace, readStartTime, UNKNOWN } from './process-identity.js';
import { renderPrometheus } from './prometheus.js';

export interface ObserverOptions {
  /** Silence after which an agent is stalled (default 3000 ms). */
  stallAfterMs?: number;
  /**
   * Agents tracked at most (default 4096). When full, a new agent takes the
   * place of a terminal one or one silent for ≥ 10 × stallAfterMs; with none
   * of those it is refused and counted (`capacityRefused`): live agents stay.
   */
  maxAgents?: number;
  /** File mode of the socket (default 0o600). */
  mode?: number;
  /**
   * Check each frame's pid against the kernel-attested sender (SO_PASSCRED).
   * Default true; frames that disagree are dropped and counted.
   */
  verifyPid?: boolean;
  /**
   * VLP versions accepted (default `[2]`: the spec requires receivers to
   * reject v0.1). `[1, 2]` also takes v0.1 agents. Others count as `BadVersion`.
   */
  versions?: readonly VlpVersion[];
  /**
   * Kernel-attested sender uids accepted (default: this process's uid and
   * root), or `'any'`. Datagrams from other uids are dropped and counted (`uidRejected`).
   */
  allowedUids?: readonly number[] | 'any';
  /** Datagrams per recvmmsg() (default 256). */
  batchSize?: number;
  /** Closes the observer when aborted; already aborted, listen() throws an AbortError. */
  signal?: AbortSignal;
}

export interface AgentSnapshot {
  pid: number;
  uid: number | null;
  gid: number | null;
  version: number;
  status: StatusName;
  payload: bigint;
  nonce: bigint;
  /** The agent's own timestamp: ns since it connected. */
  timestamp: bigint;
  beats: number;
  /** Observer-monotonic milliseconds (performance.now()) of the last frame. */
  lastSeenMs: number;
  silentForMs: number;
  stalled: boolean;
  terminal: boolean;
  /** When the sending process started (clock ticks after boot, /proc/<pid>/stat); null if unknown. */
  startTime: number | null;
  /** Inode of the sending process's pid namespace; null if unknown. */
  pidNamespace: number | null;
}

export interface ObserverCounters {
  datagrams: number;
  accepted: number;
  decodeErrors: Record<DecodeErrorKind, number>;
  authFailures: number;
  /** Datagrams from a sender whose uid is not allowed. */
  uidRejected: number;
  /** Repeated nonces (replays). */
  nonceRejected: number;
  /**
   * Frames that restart a sequence — after the agent's terminal frame, or a
   * nonce going back outside the wrap window — from the same process (start
   * time unchanged): a process may not rejoin as someone new.
   */
  restartRejected: number;
  /** A new process behind a tracked pid (its start time changed): tracked afresh. */
  pidReuses: number;
  /** Frames from new agents refused because the table was full of live ones. */
  capacityRefused: number;
  evictions: number;
  stalls: number;
  recoveries: number;
  terminals: number;
}

export interface ObserverSnapshot {
  socket: string;
  stallAfterMs: number;
  agents: AgentSnapshot[];
  counters: ObserverCounters;
}

export interface ObserverEvents {
  join: [agent: AgentSnapshot];
  status: [agent: AgentSnapshot, previous: StatusName];
  stall: [agent: AgentSnapshot];
  recovered: [agent: AgentSnapshot];
  terminal: [agent: AgentSnapshot];
  evicted: [agent: AgentSnapshot];
  error: [err: Error];
  close: [];
}

/** Agents silent this many stall thresholds may give up their place to a newcomer (as Varta's observer). */
export const EVICT_AFTER_STALLS = 10;
/** A smaller nonce is a wrap only within this many nonces of each end of the sequence (as Varta's observer). */
export const NONCE_WRAP_WINDOW = 2 ** 20;
// After /proc says a restarting sender is the same process, more restarts from
// it within this time are rejected without asking /proc again.
const SAME_PROCESS_RECHECK_MS = 1000;

/** Per-agent state; u64s kept as two u32 halves so comparing allocates nothing. */
class AgentState {
  uid = -1;
  gid = -1;
  /** The kernel-attested sender whose identity was read (the frame's pid, unless verifyPid is off). */
  senderPid = 0;
  startTime = UNKNOWN;
  pidNamespace = UNKNOWN;
  /** Until then, restarts are known to come from the same process. */
  sameProcessUntil = -Infinity;
  version = 0;
  status = 0;
  payloadLo = 0;
  payloadHi = 0;
  nonceLo = 0;
  nonceHi = 0;
  timestampLo = 0;
  timestampHi = 0;
  beats = 0;
  lastSeen = 0;
  stalled = false;
  terminal = false;
  constructor(readonly pid: number) {}

  /** A new process (or the first) behind this pid: start over and read who it is. */
  identify(senderPid: number, uid: number, gid: number, startTime: number): void {
    this.uid = uid;
    this.gid = gid;
    this.senderPid = senderPid;
    this.startTime = startTime;
    this.pidNamespace = readPidNamespace(senderPid);
    this.sameProcessUntil = -Infinity;
    this.beats = 0;
    this.stalled = false;
    this.terminal = false;
  }

  snapshot(now: number): AgentSnapshot {
    return {
      pid: this.pid,
      uid: this.uid < 0 ? null : this.uid >>> 0,
      gid: this.gid < 0 ? null : this.gid >>> 0,
      version: this.version,
      status: STATUS_NAMES[this.status]!,
      payload: (BigInt(this.payloadHi) << 32n) | BigInt(this.payloadLo),
      nonce: (BigInt(this.nonceHi) << 32n) | BigInt(this.nonceLo),
      timestamp: (BigInt(this.timestampHi) << 32n) | BigInt(this.timestampLo),
      beats: this.beats,
      lastSeenMs: this.lastSeen,
      silentForMs: Math.max(0, now - this.lastSeen),
      stalled: this.stalled,
      terminal: this.terminal,
      startTime: this.startTime === UNKNOWN ? null : this.startTime,
      pidNamespace: this.pidNamespace === UNKNOWN ? null : this.pidNamespace,
    };
  }
}

export class HeartbeatObserver extends Resource<ObserverEvents> {
  readonly path: string;
  readonly stallAfterMs: number;
  readonly maxAgents: number;
  /** The VLP versions accepted. */
  readonly versions: readonly VlpVersion[];
  readonly #verifyPid: boolean;
  readonly #strictV2: boolean;
  readonly #acceptsV2: boolean;
  /** null: any uid. */
  readonly #allowedUids: ReadonlySet<number> | null;
  readonly #evictAfterMs: number;
  readonly #receiver: DgramReceiver;
  readonly #agents = new Map<number, AgentState>();
  readonly #fields = new Uint32Array(FIELD_COUNT);
  readonly #decodeErrors = new Float64Array(DECODE_ERROR_KINDS.length);
  readonly #counters = {
    datagrams: 0,
    accepted: 0,
    authFailures: 0,
    uidRejected: 0,
    nonceRejected: 0,
    restartRejected: 0,
    pidReuses: 0,
    capacityRefused: 0,
    evictions: 0,
    stalls: 0,
    recoveries: 0,
    terminals: 0,
  };
  // How many agents may be evictable (terminal, or silent ≥ EVICT_AFTER_STALLS ×
  // stallAfterMs): counted by the stall timer, raised by terminal frames. When
  // 0, a newcomer to a full table is refused without scanning it.
  #evictable = 0;
  readonly #timer: NodeJS.Timeout;

  private constructor(path: string, options: ObserverOptions) {
    super();
    this.path = path;
    this.stallAfterMs = checkNumber('stallAfterMs', options.stallAfterMs ?? 3000, 0, Infinity, true);
    this.maxAgents = checkNumber('maxAgents', options.maxAgents ?? 4096, 0, Infinity, true);
    this.#evictAfterMs = EVICT_AFTER_STALLS * this.stallAfterMs;
    this.#verifyPid = options.verifyPid ?? true;
    this.versions = checkVersions(options.versions ?? [VLP_V2]);
    this.#strictV2 = !this.versions.includes(VLP_V1);
    this.#acceptsV2 = this.versions.includes(VLP_V2);
    this.#allowedUids = checkUids(options.allowedUids ?? [process.getuid!(), 0]);
    const signal = signalBeforeOpen(options.signal);
    this.#receiver = DgramReceiver.listen(path, {
      mode: options.mode,
      credentials: true, // uid checks and process identity need the kernel's word on every sender
      batchSize: options.batchSize ?? 256,
      messageSize: 64, // a frame is 32 bytes; anything longer is counted by its real length
      onBatch: (batch) => this.#onBatch(batch),
    });
    this.#receiver.on('error', (err) => this.emit('error', err));
    // Stalls must be seen within 50 ms of the threshold: check at least every 25 ms.
    this.#timer = setInterval(() => this.checkStalls(), Math.min(25, Math.max(1, this.stallAfterMs / 4)));
    this.closeOnAbort(signal);
  }

  /** Binds the observer's socket at `path` (or `@name`) and starts receiving. */
  static listen(path: string, options: ObserverOptions = {}): HeartbeatObserver {
    return new HeartbeatObserver(path, checkOptions(options));
  }

  #onBatch(batch: ReceivedBatch): void {
    const fields = this.#fields;
    const now = performance.now();
    const counters = this.#counters;
    const allowedUids = this.#allowedUids;
    for (let i = 0; i < batch.count; i++) {
      counters.datagrams++;
      const uid = batch.uid(i) >>> 0;
      if (allowedUids !== null && !allowedUids.has(uid)) {
        counters.uidRejected++;
        continue;
      }
      const length = batch.length(i);
      if (length !== FRAME_SIZE) {
        this.#decodeErrors[BAD_LENGTH]!++; // oversize, short or empty datagrams
        continue;
      }
      const result = native.vlp.decodeInto(batch.bytes, batch.offset(i), FRAME_SIZE, fields, this.#strictV2);
      if (result !== 0) {
        this.#decodeErrors[result - 1]!++;
        continue;
      }
      if (!this.#acceptsV2 && fields[Field.Version] === VLP_V2) {
        this.#decodeErrors[BAD_VERSION]!++;
        continue;
      }
      const pid = fields[Field.Pid]!;
      const sender = batch.pid(i);
      if (this.#verifyPid && sender !== pid) {
        counters.authFailures++;
        continue;
      }
      this.#track(pid, sender, uid, batch.gid(i) >>> 0, now);
    }
  }

  #track(pid: number, sender: number, uid: number, gid: number, now: number): void {
    const f = this.#fields;
    let agent = this.#agents.get(pid);
    let joined = false;
    if (agent === undefined) {
      if (this.#agents.size >= this.maxAgents && !this.#makeRoom(now)) {
        this.#counters.capacityRefused++;
        return;
      }
      agent = new AgentState(pid);
      agent.identify(sender, uid, gid, readStartTime(sender));
      this.#agents.set(pid, agent);
      joined = true;
    } else if (agent.terminal || !advances(agent.nonceHi, agent.nonceLo, f[Field.NonceHi]!, f[Field.NonceLo]!)) {
      if (!agent.terminal && f[Field.NonceHi] === agent.nonceHi && f[Field.NonceLo] === agent.nonceLo) {
        this.#counters.nonceRejected++; // the same nonce again: a replay
        return;
      }
      // After its terminal frame, or with its nonce gone back: the same
      // process trying to start over (rejected), or a new one on a reused pid.
      const startTime = this.#newProcessStartTime(agent, sender, now);
      if (startTime === UNKNOWN) {
        this.#counters.restartRejected++;
        return;
      }
      agent.identify(sender, uid, gid, startTime);
      this.#counters.pidReuses++;
      joined = true;
    }
    const previous = agent.status;
    agent.version = f[Field.Version]!;
    agent.status = f[Field.Status]!;
    agent.payloadLo = f[Field.PayloadLo]!;
    agent.payloadHi = f[Field.PayloadHi]!;
    agent.nonceLo = f[Field.NonceLo]!;
    agent.nonceHi = f[Field.NonceHi]!;
    agent.timestampLo = f[Field.TimestampLo]!;
    agent.timestampHi = f[Field.TimestampHi]!;
    agent.lastSeen = now;
    agent.beats++;
    this.#counters.accepted++;
    const terminal = agent.status === Status.Critical && agent.nonceHi === 0xffffffff && agent.nonceLo === 0xffffffff;
    if (joined) this.emit('join', agent.snapshot(now));
    else if (previous !== agent.status) this.emit('status', agent.snapshot(now), STATUS_NAMES[previous]!);
    if (agent.stalled) {
      agent.stalled = false;
      this.#counters.recoveries++;
      this.emit('recovered', agent.snapshot(now));
    }
    if (terminal) {
      agent.terminal = true;
      this.#evictable++;
      this.#counters.terminals++;
      this.emit('terminal', agent.snapshot(now));
    }
  }

  /**
   * The start time of the process now sending as `agent`'s pid when it is a
   * different process from the one tracked, else UNKNOWN. Different: another
   * kernel-attested sender, or the same pid with another start time or pid
   * namespace. Unknown (the sender is gone, or /proc will not say) is not different.
   */
  #newProcessStartTime(agent: AgentState, sender: number, now: number): number {
    if (sender === agent.senderPid && now < agent.sameProcessUntil) return UNKNOWN;
    const startTime = readStartTime(sender);
    if (startTime === UNKNOWN) return UNKNOWN;
    if (sender !== agent.senderPid || startTime !== agent.startTime || readPidNamespace(sender) !== agent.pidNamespace) return startTime;
    agent.sameProcessUntil = now + SAME_PROCESS_RECHECK_MS;
    return UNKNOWN;
  }

  /**
   * Room for a newcomer in a full table, only at the expense of agents that
   * are gone: a terminal one, else the one silent longest among those silent
   * ≥ EVICT_AFTER_STALLS × stallAfterMs. Live agents are never evicted.
   */
  #makeRoom(now: number): boolean {
    if (this.#evictable <= 0) return false;
    let victim: AgentState | undefined;
    for (const a of this.#agents.values()) {
      if (!a.terminal && now - a.lastSeen < this.#evictAfterMs) continue;
      if (victim === undefined || (a.terminal && !victim.terminal) || (a.terminal === victim.terminal && a.lastSeen < victim.lastSeen))
        victim = a;
    }
    if (victim === undefined) {
      this.#evictable = 0; // the count was stale: no need to scan again before the next stall check
      return false;
    }
    this.#evictable--;
    this.#agents.delete(victim.pid);
    this.#counters.evictions++;
    this.emit('evicted', victim.snapshot(now));
    return true;
  }

  /** Emits `stall` once per silence for each agent silent ≥ stallAfterMs. Runs on a timer. */
  checkStalls(now = performance.now()): void {
    let evictable = 0;
    for (const agent of this.#agents.values()) {
      if (agent.terminal || now - agent.lastSeen >= this.#evictAfterMs) evictable++;
      if (agent.stalled || agent.terminal) continue;
      if (now - agent.lastSeen >= this.stallAfterMs) {
        agent.stalled = true;
        this.#counters.stalls++;
        this.emit('stall', agent.snapshot(now));
      }
    }
    this.#evictable = evictable;
  }

  /** Stops tracking an agent (e.g. one that exited cleanly). */
  forget(pid: number): boolean {
    return this.#agents.delete(pid);
  }

  get counters(): ObserverCounters {
    const decodeErrors = Object.fromEntries(DECODE_ERROR_KINDS.map((k, i) => [k, this.#decodeErrors[i]!])) as Record<
      DecodeErrorKind,
      number
    >;
    return { ...this.#counters, decodeErrors };
  }

  snapshot(): ObserverSnapshot {
    const now = performance.now();
    const agents = [...this.#agents.values()].map((a) => a.snapshot(now)).sort((a, b) => a.pid - b.pid);
    return { socket: this.path, stallAfterMs: this.stallAfterMs, agents, counters: this.counters };
  }

  /** The snapshot in Prometheus text exposition format (for a /metrics endpoint). */
  prometheus(): string {
    return renderPrometheus(this.snapshot());
  }

  override ref(): this {
    this.#receiver.ref();
    this.#timer.ref();
    return this;
  }

  override unref(): this {
    this.#receiver.unref();
    this.#timer.unref();
    return this;
  }

  protected release(): void {
    clearInterval(this.#timer);
    this.#receiver.close();
  }
}

// The wrap window's edges as u32 halves. The sequence's top is the largest
// regular nonce, NONCE_TERMINAL − 1: v0.2 agents wrap from it to 0, v0.1
// agents stop there. A wrap: last ≥ top − 2^20, new ≤ 2^20.
const WRAP_LAST_MIN_LO = 0xfffffffe - NONCE_WRAP_WINDOW; // hi 0xFFFFFFFF
const WRAP_NEXT_MAX_LO = NONCE_WRAP_WINDOW; // hi 0

/**
 * Whether nonce (hi, lo) may follow (lastHi, lastLo): it must be larger, or
 * be a wrap — the last within NONCE_WRAP_WINDOW of the top of the sequence
 * and the new one within NONCE_WRAP_WINDOW of zero, as in Varta's observer.
 */
export function nonceAdvances(lastHi: number, lastLo: number, hi: number, lo: number): boolean {
  return advances(checkU32('lastHi', lastHi), checkU32('lastLo', lastLo), checkU32('hi', hi), checkU32('lo', lo));
}

const checkU32 = (name: string, value: unknown): number => checkInteger(name, value, 0, 0xffff_ffff);

// nonceAdvances() for the observer's own, already-u32 halves: nothing to check per frame.
function advances(lastHi: number, lastLo: number, hi: number, lo: number): boolean {
  if (hi > lastHi || (hi === lastHi && lo > lastLo)) return true;
  return lastHi === 0xffffffff && lastLo >= WRAP_LAST_MIN_LO && hi === 0 && lo <= WRAP_NEXT_MAX_LO;
}

const BAD_LENGTH = DECODE_ERROR_KINDS.indexOf('BadLength');
const BAD_VERSION = DECODE_ERROR_KINDS.indexOf('BadVersion');

function checkVersions(value: unknown): readonly VlpVersion[] {
  if (!Array.isArray(value)) throw invalidArg('versions', 'an array of VLP versions (1, 2)', value);
  if (value.length === 0) throw invalidValue('versions', 'a non-empty array of VLP versions (1, 2)', value);
  for (const v of value) {
    if (v !== VLP_V1 && v !== VLP_V2) throw invalidValue('versions', 'an array of VLP versions 1 and/or 2', v);
  }
  return Object.freeze([...new Set(value as VlpVersion[])].sort());
}

function checkUids(value: unknown): ReadonlySet<number> | null {
  if (value === 'any') return null;
  if (!Array.isArray(value)) throw invalidArg('allowedUids', "an array of uids or 'any'", value);
  return new Set(value.map((uid: unknown) => checkInteger('allowedUids', uid, 0, 0xffff_ffff)));
}
