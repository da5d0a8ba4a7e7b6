// Who a kernel-attested sender pid is, beyond its number: the process's start
// time and its pid namespace, read from /proc. A pid can be reused by a new
// process; the start time cannot. Read at join and when a restart is
// suspected, never per frame.
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

/** Unknown: the process is gone, or /proc would not say. */
export const UNKNOWN = -1;

// /proc/<pid>/stat is one line of ~52 fields (comm is at most 16 bytes): 1 KiB is
// ample, and the read is capped at this buffer whatever the file holds.
const statBuffer = Buffer.alloc(1024);
const START_TIME_FIELD = 22;

/**
 * Field 22 of /proc/<pid>/stat: when the process started, in clock ticks
 * after boot. UNKNOWN when the process is gone or the file is unreadable.
 */
export function readStartTime(pid: number): number {
  let length: number;
  try {
    const fd = openSync(`/proc/${pid}/stat`, 'r');
    try {
      length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return UNKNOWN;
  }
  // comm (field 2) is in parentheses and may itself hold spaces and ')':
  // fields are counted from the last ')', which is followed by field 3.
  const close = statBuffer.lastIndexOf(0x29, length - 1);
  if (close < 0) return UNKNOWN;
  let field = 2;
  let value = 0;
  let digits = 0;
  for (let i = close + 1; i < length; i++) {
    const c = statBuffer[i]!;
    if (c === 0x20) {
      if (field === START_TIME_FIELD) break;
      field++;
      continue;
    }
    if (field !== START_TIME_FIELD) continue;
    if (c < 0x30 || c > 0x39) return UNKNOWN;
    value = value * 10 + (c - 0x30);
    digits++;
  }
  return field === START_TIME_FIELD && digits > 0 && Number.isSafeInteger(value) ? value : UNKNOWN;
}

/** The inode of the process's pid namespace (readlink /proc/<pid>/ns/pid → "pid:[N]"), or UNKNOWN. */
export function readPidNamespace(pid: number): number {
  let link: string;
  try {
    link = readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return UNKNOWN;
  }
  const match = /^pid:\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : UNKNOWN;
}
