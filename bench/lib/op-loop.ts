// The timing loop every netlink case shares: warm up, then time `runs`
// batches of `ops` calls. A synchronous operation is never awaited, so
// hostwire's sync calls pay no microtask per call that the C loop does not.

/** Warm-up: at least 10 operations and 300 ms (the netlink package runs its first ~150 ms 3–5× slower while V8 compiles). */
const WARM_NS = 300_000_000n;

export async function timeOps(once: () => void | Promise<void>, runs: number, ops: number): Promise<number[]> {
  const warmUntil = process.hrtime.bigint() + WARM_NS;
  for (let i = 0; i < 10 || process.hrtime.bigint() < warmUntil; i++) {
    const pending = once();
    if (pending) await pending;
  }
  const nsPerOp: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) {
      const pending = once();
      if (pending) await pending;
    }
    nsPerOp.push(Number(process.hrtime.bigint() - t0) / ops);
  }
  return nsPerOp;
}
