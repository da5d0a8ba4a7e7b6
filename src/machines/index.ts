export { MachineStore, type MachineStoreOptions, type MachineLoadFailure, type LoadAllResult, type NewMachine } from './store.js';
export { encodeConfig, decodeConfig, type MachineConfig, type LoadedMachine, type BlockDevice } from './config.js';
export { parseMachineName, isMachineName, type MachineName } from './name.js';
export {
  LIVE_STATES,
  PERSISTED_STATES,
  toPersistedState,
  fromPersistedState,
  isLiveState,
  type LiveState,
  type PersistedState,
} from './state.js';
export {
  MachineStoreError,
  InvalidMachineNameError,
  MachineConfigError,
  type MachineConfigErrorCode,
  MachineNotFoundError,
  MachineExistsError,
  StoreLockedError,
  StoreClosedError,
  ImmutableFieldError,
} from './errors.js';
