// hostwire: the host-daemon toolkit. Each capability is also a subpath export
// (`hostwire/dgram`, …) for code that wants only one.
export * from './dgram/index.js';
export * from './ipc/index.js';
export * from './machines/index.js';
export { type Logger, silentLogger } from './logger.js';
export * from './vlp/index.js';
// Not `export *`: the root has HeartbeatAgent and HeartbeatObserver only, not
// the short aliases hostwire/heartbeat keeps (Agent, Observer).
export {
  HeartbeatAgent,
  HeartbeatObserver,
  nonceAdvances,
  NONCE_WRAP_WINDOW,
  EVICT_AFTER_STALLS,
  installPanicHook,
  sdNotify,
  startWatchdog,
  renderPrometheus,
  type AgentOptions,
  type AgentStats,
  type ObserverOptions,
  type AgentSnapshot,
  type ObserverCounters,
  type ObserverSnapshot,
  type ObserverEvents,
  type PanicHook,
  type PanicHookOptions,
  type NotifyState,
  type Watchdog,
} from './heartbeat/index.js';
export * from './netlink/index.js';
export * from './routing/index.js';
