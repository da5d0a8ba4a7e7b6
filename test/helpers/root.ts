// Tests that need root: without it they are skipped, the reason in their
// name. Run as root, whatever would have made them skip (a missing command)
// fails them instead: a root run must test everything it says it tested.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

export const isRoot = process.getuid?.() === 0;

/** What the namespace suites run: `ip` and `bridge` (iproute2). */
export const NETNS_COMMANDS = ['ip', 'bridge'] as const;

export interface RootNeeds {
  /** Commands that must be on PATH (default: `ip` and `bridge`). */
  commands?: readonly string[];
}

const onPath = (command: string): boolean =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** Why a root run cannot do what it needs, or null. */
function unmet(needs: RootNeeds): string | null {
  const missing = (needs.commands ?? NETNS_COMMANDS).filter((c) => !onPath(c));
  return missing.length === 0 ? null : `running as root, but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed`;
}

const skippedName = (name: string) => `${name} (skipped: needs root)`;

/**
 * A suite that needs root: skipped without it. As root, a missing command is
 * a failed test of its own (and the suite's tests are not run: nothing is
 * set up for them to fail in).
 */
export function describeAsRoot(name: string, fn: () => void, needs: RootNeeds = {}): void {
  if (!isRoot) {
    describe.skip(skippedName(name), fn);
    return;
  }
  const problem = unmet(needs);
  if (problem === null) {
    describe(name, fn);
    return;
  }
  describe(name, () => {
    it('can run', () => {
      throw new Error(`${name}: ${problem}`);
    });
    describe.skip('not run', fn);
  });
}

/** One test that needs root, on the same terms as describeAsRoot. */
export function itAsRoot(name: string, fn: () => unknown, needs: RootNeeds = {}): void {
  if (!isRoot) {
    it.skip(skippedName(name), fn);
    return;
  }
  it(name, async () => {
    const problem = unmet(needs);
    if (problem !== null) throw new Error(`${name}: ${problem}`);
    await fn();
  });
}
