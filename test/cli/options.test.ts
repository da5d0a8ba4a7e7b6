// Option values at the CLI boundary: decimal integers only, timers within
// 2^31 - 1 ms, non-empty paths, real IP addresses — each refused before the
// command does anything, naming the flag, with exit status 2.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { Agent, Observer } from '../../src/heartbeat/index.js';
import { count, duration, integer, ipAddress, nonEmpty, octalMode, oneOf, socketPath, status } from '../../src/cli/options.js';
import { createProgram } from '../../src/cli/program.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const NOT_DECIMAL = ['', '0x10', '1e3', '1e300', '-1', '1.5', ' 5', '5 ', '+5', 'many', 'Infinity', 'NaN', '1_000'];

function refused(parse: (value: string) => unknown, value: string): string {
  try {
    parse(value);
  } catch (err) {
    expect(err).toMatchObject({ code: 'commander.invalidArgument', exitCode: 2 });
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe('the shared option parsers', () => {
  it.each(NOT_DECIMAL)('integer refuses %j', (value) => {
    expect(refused(integer(0, 100), value)).toBe('Expected a decimal integer from 0 to 100.');
  });

  it('integer takes plain decimal digits within its range only', () => {
    expect(integer(0, 100)('0')).toBe(0);
    expect(integer(0, 100)('100')).toBe(100);
    expect(integer(0, 100)('007')).toBe(7);
    refused(integer(0, 100), '101');
    refused(integer(5, 100), '4');
    expect(integer(0, Number.MAX_SAFE_INTEGER)('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    refused(integer(0, Number.MAX_SAFE_INTEGER), '9007199254740992');
  });

  it('count is 1 or more: 0 is refused everywhere, never read as "forever"', () => {
    expect(refused(count, '0')).toBe('Expected a decimal integer from 1 to 4294967295.');
    expect(count('1')).toBe(1);
    expect(count('4294967295')).toBe(2 ** 32 - 1);
    refused(count, '4294967296');
  });

  it('duration stays within what a Node timer can wait (2^31 - 1 ms)', () => {
    expect(duration()('0')).toBe(0);
    expect(duration()('2147483647')).toBe(2 ** 31 - 1);
    expect(refused(duration(), '2147483648')).toBe('Expected a whole number of milliseconds from 0 to 2147483647.');
    refused(duration(), '3000000000');
    refused(duration(1), '0');
    expect(duration(0, 3_600_000)('3600000')).toBe(3_600_000);
    refused(duration(0, 3_600_000), '3600001');
    refused(duration(0, 2 ** 40), '2147483648'); // the cap holds whatever the caller asks
    for (const value of NOT_DECIMAL) refused(duration(), value);
  });

  it('oneOf, socketPath, nonEmpty, ipAddress, octalMode and status', () => {
    expect(oneOf([1, 2])('2')).toBe(2);
    expect(refused(oneOf([1, 2]), '3')).toBe('Expected 1 or 2.');
    refused(oneOf([1, 2]), '1.0');
    expect(socketPath('@name')).toBe('@name');
    refused(socketPath, '');
    refused(socketPath, '@');
    expect(nonEmpty(' ')).toBe(' ');
    refused(nonEmpty, '');
    expect(ipAddress('172.16.0.2')).toBe('172.16.0.2');
    expect(ipAddress('fd00::2')).toBe('fd00::2');
    for (const bad of ['', '172.16.0', '256.1.1.1', ' 10.0.0.1', 'localhost', '10.0.0.1/24']) refused(ipAddress, bad);
    expect(octalMode('0660')).toBe(0o660);
    refused(octalMode, '999');
    refused(octalMode, '0x1ff');
    expect(status('Degraded')).toBe(1);
    expect(refused(status, 'stall')).toContain('Stall is synthesized by observers');
    refused(status, '1');
  });
});

/** Parses argv with the real command tree, in-process; resolves with what commander printed on stderr. */
async function parseRefused(argv: string[]): Promise<{ error: CommanderError; stderr: string }> {
  let stderr = '';
  const program = createProgram({ writeErr: (s) => (stderr += s), writeOut: () => {} });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { error, stderr };
  }
  throw new Error(`hostwire ${argv.join(' ')} was accepted`);
}

const CREATE = ['machines', 'create', 'vm', '--cpus', '1', '--memory-mb', '64', '--disk-gb', '1'];

// [flag as commander prints it, bad value, argv around it]
const everyFlag: [string, string, string[]][] = [
  ['--socket <path>', '', ['dgram', 'listen']],
  ['--mode <octal>', '999', ['dgram', 'listen', '--socket', '/nonexistent/s']],
  ['--duration-ms <n>', '3000000000', ['dgram', 'listen', '--socket', '/nonexistent/s']],
  ['--socket <path>', '@', ['dgram', 'send', 'x']],
  ['--count <n>', '0', ['dgram', 'send', 'x', '--socket', '/nonexistent/s']],
  ['--interval-ms <n>', '2147483648', ['dgram', 'send', 'x', '--socket', '/nonexistent/s']],
  ['--socket <path>', '', ['heartbeat', 'beat']],
  ['--count <n>', '1e3', ['heartbeat', 'beat', '--socket', '/nonexistent/s']],
  ['--interval-ms <n>', '3000000000', ['heartbeat', 'beat', '--socket', '/nonexistent/s']],
  ['--status <s>', 'stall', ['heartbeat', 'beat', '--socket', '/nonexistent/s']],
  ['--payload <n>', '-1', ['heartbeat', 'beat', '--socket', '/nonexistent/s']],
  ['--payload <n>', '9007199254740992', ['heartbeat', 'beat', '--socket', '/nonexistent/s', '--vlp', '1']],
  ['--payload <n>', '4294967296', ['heartbeat', 'beat', '--socket', '/nonexistent/s']], // a u32 with VLP v0.2
  ['--vlp <1|2>', '3', ['heartbeat', 'beat', '--socket', '/nonexistent/s']],
  ['--crash-after-ms <n>', '1.5', ['heartbeat', 'beat', '--socket', '/nonexistent/s']],
  ['--socket <path>', '', ['heartbeat', 'watch']],
  ['--stall-ms <n>', '0', ['heartbeat', 'watch', '--socket', '/nonexistent/s']],
  ['--stall-ms <n>', '3000000000', ['heartbeat', 'watch', '--socket', '/nonexistent/s']],
  ['--duration-ms <n>', '3000000000', ['heartbeat', 'watch', '--socket', '/nonexistent/s']],
  // The spellings from before `heartbeat` grouped them parse the same way.
  ['--count <n>', '0', ['beat', '--socket', '/nonexistent/s']],
  ['--duration-ms <n>', '3000000000', ['watch', '--socket', '/nonexistent/s']],
  ['--wait-ms <n>', '-1', ['machines', 'remove', 'vm']],
  ['--wait-ms <n>', '1e3', ['machines', 'rm', 'vm']],
  ['--state-dir <dir>', '', ['machines', 'ls']],
  ['--state-dir <dir>', '', ['machines', 'recover']],
  ['--cpus <n>', '0x10', ['machines', 'create', 'vm']],
  ['--cpus <n>', '0', ['machines', 'create', 'vm']],
  ['--memory-mb <n>', '1e3', ['machines', 'create', 'vm', '--cpus', '1']],
  ['--disk-gb <n>', '-1', ['machines', 'create', 'vm', '--cpus', '1', '--memory-mb', '64']],
  ['--kernel <path>', '', CREATE],
  ['--cmdline <text>', '', CREATE],
  ['--distro <name>', '', CREATE],
  ['--distro-version <version>', '', CREATE],
  ['--disk-path <path>', '', CREATE],
  ['--ssh-key-path <path>', '', CREATE],
  ['--ip-address <ip>', '172.16.0', CREATE],
  ['--ip-address <ip>', '', CREATE],
  ['--attempts <n>', '0', ['route', 'ensure', '--bridge', 'br0']],
  ['--attempts <n>', '1001', ['route', 'ensure', '--bridge', 'br0']],
  ['--delay-ms <n>', '3600001', ['route', 'ensure', '--bridge', 'br0']],
  ['--delay-ms <n>', ' 5', ['route', 'ensure', '--bridge', 'br0']],
  ['--delay <n>', '3600001', ['route', 'ensure', '--bridge', 'br0']], // the old spelling, hidden
  ['--netns <name>', '', ['route', 'remove']],
  ['--netns <name>', '', ['route', 'ls']],
  ['--netns <name>', '', ['route', 'show']],
  ['--netns <name>', '', ['link', 'ls']],
  ['--netns <name>', '', ['fdb', 'ls']],
  ['--netns <name>', '', ['fdb']], // `fdb ls` is the default
  ['--netns <name>', '', ['bridge', 'resolve', '02:00:00:00:00:01']],
];

describe('every command routes its option values through the shared parsers', () => {
  it.each(everyFlag)('%s %j is refused, naming the flag (%j)', async (flags, value, argv) => {
    const { error, stderr } = await parseRefused([...argv, flags.split(' ')[0]!, value]);
    expect(error).toMatchObject({ code: 'commander.invalidArgument', exitCode: 2 });
    expect(stderr).toContain(`error: option '${flags}' argument '${value}' is invalid. Expected `);
  });

  it('every option that takes a value has a parser, except the few that name things the routing layer parses', () => {
    const unparsed: string[] = [];
    const visit = (command: Command, where: string): void => {
      for (const option of command.options) {
        const takesValue = option.required || option.optional;
        if (takesValue && option.parseArg === undefined) unparsed.push(`${where} ${option.long}`);
      }
      for (const sub of command.commands) visit(sub, `${where} ${sub.name()}`.trim());
    };
    visit(createProgram(), '');
    // Subnets, interface names and MAC addresses are parsed by the routing layer's own parsers.
    expect(unparsed.sort()).toEqual(
      [
        'fdb ls --master',
        'route ensure --bridge',
        'route ensure --device',
        'route ensure --mac',
        'route ensure --subnet',
        'route remove --subnet',
        'route ls --subnet',
      ].sort(),
    );
  });
});

/** Every command under `command`, with its path from the top ('route ensure'). */
function allCommands(command: Command, where = ''): { path: string; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const at = `${where} ${sub.name()}`.trim();
    return [{ path: at, command: sub }, ...allCommands(sub, at)];
  });
}

const VERBS = ['ls', 'show', 'create', 'remove', 'set-state', 'recover', 'ensure', 'resolve', 'send', 'listen', 'beat', 'watch', 'demo'];

describe('one grouping rule: `hostwire <group> <verb>`, units in flag names', () => {
  it('help shows groups of verbs; the only command at the top is demo', () => {
    const program = createProgram();
    const help = program.createHelp();
    const top = help.visibleCommands(program).map((c) => c.name());
    expect(top.sort()).toEqual(['bridge', 'demo', 'dgram', 'fdb', 'heartbeat', 'help', 'link', 'machines', 'route'].sort());
    for (const group of program.commands.filter((c) => top.includes(c.name()) && c.name() !== 'demo')) {
      expect(group.commands.length, group.name()).toBeGreaterThan(0);
      for (const verb of group.commands) {
        expect(VERBS, `${group.name()} ${verb.name()}`).toContain(verb.name());
        expect(verb.commands, `${group.name()} ${verb.name()} has no subcommands`).toEqual([]);
      }
    }
  });

  it('the spellings from before the rule are still there: hidden top-level beat and watch with the same options, and aliases', () => {
    const program = createProgram();
    const flags = (c: Command) => c.options.map((o) => `${o.flags} ${String(o.defaultValue)}`);
    const heartbeat = program.commands.find((c) => c.name() === 'heartbeat')!;
    for (const verb of ['beat', 'watch']) {
      const old = program.commands.find((c) => c.name() === verb)!;
      expect(program.createHelp().visibleCommands(program)).not.toContain(old);
      expect(flags(old)).toEqual(flags(heartbeat.commands.find((c) => c.name() === verb)!));
    }
    const aliases = allCommands(program).flatMap(({ path, command }) => command.aliases().map((a) => `${path} = ${a}`));
    expect(aliases.sort()).toEqual(['machines remove = rm', 'route ls = show']);
    const fdb = program.commands.find((c) => c.name() === 'fdb')!;
    expect(fdb.commands.map((c) => c.name())).toEqual(['ls']); // and the default: `hostwire fdb` runs it
  });

  it('every duration flag ends in -ms and every -ms flag takes milliseconds up to 2^31 - 1 (the old --delay is hidden)', () => {
    const durations: string[] = [];
    for (const { path, command } of allCommands(createProgram())) {
      for (const option of command.options) {
        if (option.parseArg === undefined) continue;
        let takesMs = false;
        try {
          option.parseArg('2147483648', undefined);
        } catch (err) {
          takesMs = (err as Error).message.includes('milliseconds');
        }
        if (option.long!.endsWith('-ms')) expect(takesMs, `${path} ${option.long}`).toBe(true);
        if (takesMs) durations.push(`${path} ${option.long}${option.hidden ? ' (hidden)' : ''}`);
      }
    }
    expect(durations.filter((d) => !/-ms$/.test(d))).toEqual(['route ensure --delay (hidden)']);
    expect(durations).toContain('route ensure --delay-ms');
    expect(durations).toContain('machines ls --wait-ms');
  });
});

describe('hostwire exits 2 on a usage error, before doing anything', () => {
  it(`dgram send --count ${NOT_DECIMAL.map((v) => JSON.stringify(v)).join(', ')}`, async () => {
    const sock = path.join(tempDir(), 'none.sock');
    const results = await Promise.all(NOT_DECIMAL.map((value) => runCli(['dgram', 'send', '--socket', sock, '--count', value, 'x'])));
    results.forEach((result, i) => {
      const value = NOT_DECIMAL[i]!;
      expect(result.code, value).toBe(2);
      expect(result.stdout, value).toBe('');
      expect(result.stderr).toContain(
        `error: option '--count <n>' argument '${value}' is invalid. Expected a decimal integer from 1 to 4294967295.`,
      );
    });
  });

  it('heartbeat watch --duration-ms beyond 2^31 - 1 is refused, not a timer that fires at once', async () => {
    const sock = path.join(tempDir(), 'watch.sock');
    const result = await runCli(['heartbeat', 'watch', '--socket', sock, '--duration-ms', '3000000000', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--duration-ms <n>' argument '3000000000' is invalid");
    expect(existsSync(sock)).toBe(false); // nothing was bound
  });

  it('heartbeat beat --interval-ms beyond 2^31 - 1 is refused, not beats back to back', async () => {
    const sock = path.join(tempDir(), 'beat.sock');
    using observer = Observer.listen(sock);
    const result = await runCli(['heartbeat', 'beat', '--socket', sock, '--count', '2', '--interval-ms', '3000000000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--interval-ms <n>' argument '3000000000' is invalid");
    // Anything the child sent is queued ahead of this beat: once it is seen, it must be the only one.
    using agent = Agent.connect(sock);
    expect(agent.beat().ok).toBe(true);
    await expect.poll(() => observer.snapshot().agents.some((a) => a.pid === process.pid)).toBe(true);
    expect(observer.counters.datagrams).toBe(1);
  });

  it('heartbeat beat --count 0 and dgram send --count 0 are refused alike', async () => {
    const sock = path.join(tempDir(), 'zero.sock');
    const [beat, send] = await Promise.all([
      runCli(['heartbeat', 'beat', '--socket', sock, '--count', '0']),
      runCli(['dgram', 'send', '--socket', sock, '--count', '0', 'x']),
    ]);
    for (const result of [beat, send]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("option '--count <n>' argument '0' is invalid");
    }
  });

  it('machines create refuses an --ip-address that is not an IP address, and an empty --state-dir', async () => {
    const stateDir = tempDir();
    const [ip, dir] = await Promise.all([
      runCli([...CREATE, '--ip-address', '172.16.0.300', '--state-dir', stateDir]),
      runCli([...CREATE, '--state-dir', '']),
    ]);
    expect(ip.code).toBe(2);
    expect(ip.stderr).toContain("option '--ip-address <ip>' argument '172.16.0.300' is invalid. Expected an IPv4 or IPv6 address.");
    expect(existsSync(path.join(stateDir, 'machines'))).toBe(false);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain("option '--state-dir <dir>' argument '' is invalid. Expected a non-empty value.");
  });

  it('heartbeat beat --vlp 1 takes a payload beyond a u32, which v0.2 refuses', async () => {
    const sock = path.join(tempDir(), 'v1.sock');
    using observer = Observer.listen(sock, { versions: [1, 2] });
    const v2 = await runCli(['heartbeat', 'beat', '--socket', sock, '--payload', '4294967296']);
    expect(v2.code).toBe(2);
    expect(v2.stderr).toContain(
      "option '--payload <n>' argument '4294967296' is invalid. Expected a decimal integer from 0 to 4294967295 with --vlp 2.",
    );
    const v1 = await runCli(['heartbeat', 'beat', '--socket', sock, '--vlp', '1', '--payload', '4294967296', '--interval-ms', '0']);
    expect(v1.code).toBe(0);
    await expect.poll(() => observer.snapshot().agents[0]?.payload).toBe(4294967296n);
  });
});
