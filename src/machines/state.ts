// Machine states as the daemon sees them, and as they are written to disk.
// Transitional states persist as where they are heading: a crash while
// "starting" must be treated like a crash while "running".

export const LIVE_STATES = ['created', 'starting', 'running', 'stopping', 'stopped'] as const;
export type LiveState = (typeof LIVE_STATES)[number];

export const PERSISTED_STATES = ['created', 'running', 'stopped'] as const;
export type PersistedState = (typeof PERSISTED_STATES)[number];

const TO_PERSISTED: Record<LiveState, PersistedState> = {
  created: 'created',
  starting: 'running',
  running: 'running',
  stopping: 'stopped',
  stopped: 'stopped',
};

export function toPersistedState(state: LiveState): PersistedState {
  return TO_PERSISTED[state];
}

/**
 * What a persisted state means when the daemon loads it: nothing is running
 * after a daemon restart, so "running" comes back "stopped" and flags that
 * the machine was interrupted.
 */
export function fromPersistedState(state: PersistedState): { state: LiveState; needsRecovery: boolean } {
  return state === 'running' ? { state: 'stopped', needsRecovery: true } : { state, needsRecovery: false };
}

export function isLiveState(value: unknown): value is LiveState {
  return typeof value === 'string' && (LIVE_STATES as readonly string[]).includes(value);
}
