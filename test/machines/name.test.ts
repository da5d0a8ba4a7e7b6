import { describe, expect, it } from 'vitest';
import { InvalidMachineNameError, parseMachineName } from '../../src/machines/index.js';

describe('parseMachineName', () => {
  it.each(['a', 'vm1', 'web-01', 'db_primary', 'ubuntu.24.04', '0day', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(parseMachineName(name)).toBe(name);
  });

  it.each([
    ['traversal', '../x', '".."'],
    ['traversal in the middle', 'a..b', '".."'],
    ['bare dot-dot', '..', '".."'],
    ['absolute', '/etc', 'lowercase ASCII'],
    ['slash', 'a/b', 'lowercase ASCII'],
    ['empty', '', 'must not be empty'],
    ['too long', 'a'.repeat(64), 'the limit is 63'],
    ['uppercase', 'WebServer', 'lowercase ASCII'],
    ['unicode', 'münchen', 'lowercase ASCII'],
    ['leading dot', '.hidden', 'starting with a letter or digit'],
    ['leading dash', '-rf', 'starting with a letter or digit'],
    ['whitespace', 'my vm', 'lowercase ASCII'],
    ['NUL byte', 'vm\0', 'lowercase ASCII'],
  ])('rejects %s (%j)', (_what, name, reason) => {
    let thrown: unknown;
    try {
      parseMachineName(name);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidMachineNameError);
    expect(thrown).toMatchObject({ code: 'ERR_INVALID_MACHINE_NAME' });
    expect((thrown as Error).message).toContain(reason);
    expect((thrown as Error).message).toContain(JSON.stringify(name));
  });

  it('rejects non-strings', () => {
    expect(() => parseMachineName(42)).toThrow(InvalidMachineNameError);
    expect(() => parseMachineName(undefined)).toThrow('must be a string');
  });
});
