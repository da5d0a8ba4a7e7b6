// The observer: receives VLP frames in recvmmsg batches, decodes them in the
// addon, checks them against the kernel's word on the sender, tracks each
// agent, and synthesizes a stall when an agent falls silent.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { DgramReceiver, type ReceivedBatch } from '../dgram/receiver.js';
import { Field, FIELD_COUNT } from '../vlp/codec.js';
import { FRAME_SIZE, Status, STATUS_NAMES, type StatusName } from '../vlp/constants.js';
import { DECODE_ERROR_KINDS, type DecodeErrorKind } from '../vlp/errors.js';
import { native } from '../native.js';
import { renderPrometheus } from './prometheus.js';

export interface ObserverOptions {
  /** Silence after which an agent is stalled (default 3000 ms). */
  stallAfterMs?: number;
  /** Agents tracked at most (default 4096); see `evict` for the rule. */
  maxAgents?: number;
  /** File mode of the socket (default 0o600). */
  mode?: number;
  /**
   * Check each frame's pid against the kernel-attested sender (SO_PASSCRED).
   * Default true; frames that disagree are dropped and counted.
   */
  verifyPid?: boolean;
  /** Datagrams per recvmmsg() (default 256). */
  batchSize?: number;
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
}

export interface ObserverCounters {
  datagrams: number;
  accepted: number;
  decodeErrors: Record<DecodeErrorKind, number>;
  authFailures: number;
  nonceRejected: number;
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


/** Per-agent state; u64s kept as two u32 halves so comparing allocates nothing. */
class AgentState {
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
  constructor(
    readonly pid: number,
    readonly uid: number,
    readonly gid: number,
  ) {}

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
    };
  }
}

export class Observer extends EventEmitter<ObserverEvents> implements Disposable {
  readonly path: string;
  readonly stallAfterMs: number;
  readonly maxAgents: number;
  readonly #verifyPid: boolean;
  readonly #receiver: DgramReceiver;
  readonly #agents = new Map<number, AgentState>();
  readonly #fields = new Uint32Array(FIELD_COUNT);
  readonly #decodeErrors = new Float64Array(DECODE_ERROR_KINDS.length);
  readonly #counters = { datagrams: 0, accepted: 0, authFailures: 0, nonceRejected: 0, evictions: 0, stalls: 0, recoveries: 0, terminals: 0 };
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  private constructor(path: string, options: ObserverOptions) {
    super();
    this.path = path;
    this.stallAfterMs = positive('stallAfterMs', options.stallAfterMs ?? 3000);
    this.maxAgents = positive('maxAgents', options.maxAgents ?? 4096);
    this.#verifyPid = options.verifyPid ?? true;
    this.#receiver = DgramReceiver.listen(path, {
      mode: options.mode,
      credentials: this.#verifyPid,
      batchSize: options.batchSize ?? 256,
      messageSize: 64, // a frame is 32 bytes; anything longer is counted by its real length
      onBatch: (batch) => this.#onBatch(batch),
    });
    this.#receiver.on('error', (err) => this.emit('error', err));
    // Stalls must be seen within 50 ms of the threshold: check at least every 25 ms.
    this.#timer = setInterval(() => this.checkStalls(), Math.min(25, Math.max(1, this.stallAfterMs / 4)));
  }

  /** Binds the observer's socket at `path` (or `@name`) and starts receiving. */
  static listen(path: string, options: ObserverOptions = {}): Observer {
    return new Observer(path, options);
  }

  #onBatch(batch: ReceivedBatch): void {
    const fields = this.#fields;
    const now = performance.now();
    const counters = this.#counters;
    for (let i = 0; i < batch.count; i++) {
      counters.datagrams++;
      const length = batch.length(i);
      if (length !== FRAME_SIZE) {
        this.#decodeErrors[0]!++; // BadLength: oversize, short or empty datagrams
        continue;
      }
      const result = native.vlp.decodeInto(batch.bytes, batch.offset(i), FRAME_SIZE, fields);
      if (result !== 0) {
        this.#decodeErrors[result - 1]!++;
        continue;
      }
      const pid = fields[Field.Pid]!;
      if (this.#verifyPid && batch.pid(i) !== pid) {
        counters.authFailures++;
        continue;
      }
      this.#track(pid, batch.uid(i), batch.gid(i), now);
    }
  }

  #track(pid: number, uid: number, gid: number, now: number): void {
    const f = this.#fields;
    let agent = this.#agents.get(pid);
    let joined = false;
    if (agent === undefined || agent.terminal) {
      // A pid seen after its terminal frame is a new process (pid reuse): start over.
      if (agent === undefined && this.#agents.size >= this.maxAgents) this.#evict(now);
      agent = new AgentState(pid, uid, gid);
      this.#agents.set(pid, agent);
      joined = true;
    } else if (!nonceAdvances(agent.nonceHi, agent.nonceLo, f[Field.NonceHi]!, f[Field.NonceLo]!)) {
      this.#counters.nonceRejected++; // replayed or reordered
      return;
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
      this.#counters.terminals++;
      this.emit('terminal', agent.snapshot(now));
    }
  }

  /**
   * Eviction rule at `maxAgents`: drop the agent silent the longest, taking
   * terminal agents first, then stalled ones, then any.
   */
  #evict(now: number): void {
    let victim: AgentState | undefined;
    const rank = (a: AgentState) => (a.terminal ? 0 : a.stalled ? 1 : 2);
    for (const a of this.#agents.values()) {
      if (victim === undefined || rank(a) < rank(victim) || (rank(a) === rank(victim) && a.lastSeen < victim.lastSeen)) victim = a;
    }
    if (victim === undefined) return;
    this.#agents.delete(victim.pid);
    this.#counters.evictions++;
    this.emit('evicted', victim.snapshot(now));
  }

  /** Emits `stall` once per silence for each agent silent ≥ stallAfterMs. Runs on a timer. */
  checkStalls(now = performance.now()): void {
    for (const agent of this.#agents.values()) {
      if (agent.stalled || agent.terminal) continue;
      if (now - agent.lastSeen >= this.stallAfterMs) {
        agent.stalled = true;
        this.#counters.stalls++;
        this.emit('stall', agent.snapshot(now));
      }
    }
  }

  /** Stops tracking an agent (e.g. one that exited cleanly). */
  forget(pid: number): boolean {
    return this.#agents.delete(pid);
  }

  get counters(): ObserverCounters {
    const decodeErrors = Object.fromEntries(DECODE_ERROR_KINDS.map((k, i) => [k, this.#decodeErrors[i]!])) as Record<DecodeErrorKind, number>;
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

  ref(): this {
    this.#receiver.ref();
    this.#timer.ref();
    return this;
  }

  unref(): this {
    this.#receiver.unref();
    this.#timer.unref();
    return this;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#receiver.close();
    this.emit('close');
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Nonces must strictly increase. A v0.2 agent wraps from 0xFFFF…FFFE to 0,
 * so a small nonce right after one in the top 2^32 is a wrap, not a replay.
 */
export function nonceAdvances(lastHi: number, lastLo: number, hi: number, lo: number): boolean {
  if (hi > lastHi || (hi === lastHi && lo > lastLo)) return true;
  return lastHi === 0xffffffff && hi === 0;
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    const err = new RangeError(`${name} must be a positive number, got ${String(value)}`) as RangeError & { code: string };
    err.code = 'ERR_OUT_OF_RANGE';
    throw err;
  }
  return value;
}

