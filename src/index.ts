// hostwire: the host-daemon toolkit. Each capability is also a subpath export
// (`hostwire/dgram`, …) for code that wants only one.
export * from './dgram/index.js';
export * from './machines/index.js';
export { type Logger, silentLogger } from './logger.js';
export * from './vlp/index.js';
export * from './heartbeat/index.js';
export * from './netlink/index.js';
export * from './routing/index.js';
