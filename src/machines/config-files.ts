// Reading machine configs without trusting what sits in the store: no
// symlinks (a config linked to /dev/zero would be read forever), no FIFOs
// (the read would wait for a writer forever), nothing over the size cap (read
// at most cap + 1 bytes, so a file growing under the read is caught too).
// The checks run in the addon on the opened descriptor, one threadpool trip
// for the whole batch; this module turns its refusals into MachineConfigErrors.
import { native } from '../native.js';
import { MachineConfigError } from './errors.js';

/** Default of the store's `maxConfigBytes`: far above any real config. */
export const DEFAULT_MAX_CONFIG_BYTES = 1024 * 1024;
/** Largest accepted `maxConfigBytes`. */
export const MAX_CONFIG_BYTES_LIMIT = 2 ** 30;

const sys = native.sys;

type NativeRefusal = NodeJS.ErrnoException & { fileType?: string; size?: number; limit?: number; grew?: boolean };

/**
 * Reads `<baseDir>/<relative path>` for each path: a Buffer, or the reason it
 * was not read — a MachineConfigError (symlink, not a regular file, too
 * large) or the system error (ENOENT and the like) as it came.
 */
export async function readConfigFiles(
  baseDir: string,
  relativePaths: string[],
  maxBytes: number,
): Promise<(Buffer | MachineConfigError | NodeJS.ErrnoException)[]> {
  const results = await sys.readFiles(relativePaths, { maxBytes, base: baseDir });
  return results.map((result) => (Buffer.isBuffer(result) ? result : toConfigError(result as NativeRefusal)));
}

function toConfigError(err: NativeRefusal): MachineConfigError | NodeJS.ErrnoException {
  const file = err.path ?? '';
  switch (err.code) {
    case 'ELOOP':
      return new MachineConfigError(file, 'is a symbolic link; the machine store does not follow symbolic links', null, null, {
        code: 'ERR_MACHINE_CONFIG_SYMLINK',
        cause: err,
      });
    case 'ERR_NOT_REGULAR_FILE':
      return new MachineConfigError(file, `is a ${err.fileType ?? 'special file'}, not a regular file; not read`, null, null, {
        code: 'ERR_MACHINE_CONFIG_NOT_REGULAR',
        cause: err,
      });
    case 'ERR_FILE_TOO_LARGE': {
      const size = err.grew ? 'grew past the limit while being read' : `is ${err.size} bytes`;
      return new MachineConfigError(file, `${size}; the limit is ${err.limit} bytes (maxConfigBytes)`, null, null, {
        code: 'ERR_MACHINE_CONFIG_TOO_LARGE',
        cause: err,
      });
    }
    default:
      return err;
  }
}
