export { HeartbeatAgent, type AgentOptions, type AgentStats } from './agent.js';
// The short names of hostwire/heartbeat (the package root has only the long ones).
export { HeartbeatAgent as Agent } from './agent.js';
export { HeartbeatObserver as Observer } from './observer.js';
export {
  HeartbeatObserver,
  nonceAdvances,
  NONCE_WRAP_WINDOW,
  EVICT_AFTER_STALLS,
  type ObserverOptions,
  type AgentSnapshot,
  type ObserverCounters,
  type ObserverSnapshot,
  type ObserverEvents,
} from './observer.js';
export { installPanicHook, type PanicHook, type PanicHookOptions } from './panic.js';
export { sdNotify, startWatchdog, type NotifyState, type Watchdog } from './sd-notify.js';
export { renderPrometheus } from './prometheus.js';
