// The heartbeat agent: a daemon proves it is alive by pushing 32-byte VLP
// frames to an observer. One native call per beat (encode + CRC + send), no
// allocation, no blocking; reconnect policy lives here.
import { badArg, checkInteger, checkOptions } from '../common/args.js';
import { Resource, signalBeforeOpen } from '../common/lifecycle.js';
import { DgramSender, type DgramSenderOptions } from '../dgram/sender.js';
import { nativeHandleOf } from '../dgram/sender.js';
import { outcomeOf, SENT, type SendOutcome } from '../dgram/outcome.js';
import { native, type NativeHeartbeatAgent } from '../native.js';
import { parseStatus, Status, VLP_V2, type StatusCode, type StatusName, type VlpVersion } from '../vlp/constants.js';

export interface AgentOptions extends Pick<DgramSenderOptions, 'requireObserver'> {
  /** Wire version: 2 (default, CRC-protected) or 1 for old observers. */
  version?: VlpVersion;
  /**
   * After this many consecutive dropped beats, rebuild the socket (the
   * observer may have restarted) and retry the beat once. 0 disables.
   */
  reconnectAfter?: number;
  /** Closes the agent when aborted; already aborted, connect() throws an AbortError. */
  signal?: AbortSignal;
}

export interface AgentStats {
  sent: number;
  dropped: number;
  failed: number;
  reconnects: number;
  /** Times the monotonic clock went backwards and the timestamp was held. */
  clockRegressions: number;
}

const INVALID_STATUS = native.heartbeat.HeartbeatAgent.INVALID_STATUS;

/**
 * Beats never wait and hold nothing on the event loop, so an agent never
 * keeps the process alive: ref() and unref() are no-ops.
 */
export class HeartbeatAgent extends Resource {
  readonly path: string;
  readonly version: VlpVersion;
  readonly #sender: DgramSender;
  readonly #native: NativeHeartbeatAgent;
  readonly #beat: NativeHeartbeatAgent['beat'];
  readonly #reconnectAfter: number;
  #consecutiveDrops = 0;
  readonly #stats = { sent: 0, dropped: 0, failed: 0, reconnects: 0 };

  private constructor(path: string, sender: DgramSender, version: VlpVersion, reconnectAfter: number) {
    super();
    this.path = path;
    this.version = version;
    this.#sender = sender;
    this.#native = new native.heartbeat.HeartbeatAgent(nativeHandleOf(sender), version);
    this.#beat = this.#native.beat;
    this.#reconnectAfter = reconnectAfter;
  }

  /** Opens an agent for the observer at `path` (or `@name`). */
  static connect(path: string, options: AgentOptions = {}): HeartbeatAgent {
    checkOptions(options);
    const version = options.version ?? VLP_V2;
    if (version !== 1 && version !== 2) throw badArg('version', '1 or 2', version, 'number');
    const reconnectAfter = checkInteger('reconnectAfter', options.reconnectAfter ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const signal = signalBeforeOpen(options.signal);
    const sender = DgramSender.connect(path, { requireObserver: options.requireObserver === true });
    const agent = new HeartbeatAgent(path, sender, version, reconnectAfter);
    agent.closeOnAbort(signal);
    return agent;
  }

  /**
   * Sends one beat. `status` is a Status code (fastest) or name; Stall is
   * refused. `payload` is a u32 (v0.2) or safe integer (v0.1) of your choosing.
   * Numbers that are not integers in range are refused (ERR_OUT_OF_RANGE,
   * ERR_INVALID_ARG_TYPE for a non-number) and nothing is sent.
   */
  beat(status: StatusCode | StatusName = Status.Ok, payload = 0): SendOutcome {
    const code = typeof status === 'number' ? status : parseStatus(status);
    const result = this.#beat(code, payload);
    if (result === 0) {
      this.#stats.sent++;
      this.#consecutiveDrops = 0;
      return SENT;
    }
    if (result === INVALID_STATUS) parseStatus(code); // throws the precise reason
    const outcome = outcomeOf(result);
    return this.#afterFailure(outcome, code, payload);
  }

  #afterFailure(outcome: SendOutcome, code: number, payload: number): SendOutcome {
    if (outcome.kind === 'failed') {
      this.#stats.failed++;
      return outcome;
    }
    this.#stats.dropped++;
    this.#consecutiveDrops++;
    if (this.#reconnectAfter === 0 || this.#consecutiveDrops < this.#reconnectAfter) return outcome;
    try {
      this.#sender.reconnect();
    } catch {
      return outcome; // still unreachable: keep counting, try again after the next drop
    }
    this.#stats.reconnects++;
    this.#consecutiveDrops = 0;
    const retry = this.#beat(code, payload);
    if (retry === 0) {
      this.#stats.sent++;
      return SENT;
    }
    const again = outcomeOf(retry);
    if (again.kind === 'failed') this.#stats.failed++;
    else {
      this.#stats.dropped++;
      this.#consecutiveDrops++;
    }
    return again;
  }

  /** Sends Critical with NONCE_TERMINAL: "this process is ending; silence is expected". */
  terminal(payload = 0): SendOutcome {
    return outcomeOf(this.#native.terminal(payload));
  }

  /** Rebuilds the socket (new one first; on error nothing changes). */
  reconnect(): void {
    this.#sender.reconnect();
    this.#stats.reconnects++;
    this.#consecutiveDrops = 0;
  }

  /** The nonce the next successful beat will carry. */
  get nonce(): bigint {
    return this.#native.nonce;
  }

  /** The pid frames carry: this process's own, refreshed after fork. */
  get pid(): number {
    return this.#native.pid;
  }

  get stats(): Readonly<AgentStats> {
    return { ...this.#stats, clockRegressions: this.#native.regressions };
  }

  /** @internal for tests: continue a sequence from a given nonce. */
  setNextNonce(nonce: bigint): void {
    this.#native.setNonce(nonce);
  }

  protected release(): void {
    this.#sender.close();
  }
}
