// The one table renderer every CLI table goes through (machines ls and show,
// heartbeat watch and demo, the outcome summaries of dgram send and beat).
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/cli/table.js';

describe('formatTable', () => {
  it('makes each column as wide as its widest cell, header included, two spaces apart, no trailing blanks', () => {
    const lines = formatTable(
      [
        ['db', 'created', '1', '-'],
        ['web-01', 'stopped (interrupted)', '2', '172.16.0.2'],
      ],
      ['NAME', 'STATE', 'CPUS', 'IP'].map((header) => ({ header })),
    );
    expect(lines).toEqual([
      'NAME    STATE                  CPUS  IP',
      'db      created                1     -',
      'web-01  stopped (interrupted)  2     172.16.0.2',
    ]);
  });

  it('without headers prints only the rows; right-aligned columns and minWidth keep a summary’s layout', () => {
    const columns = [{ align: 'right' as const, minWidth: 8 }, {}];
    expect(formatTable([['2', 'dropped: no observer (ENOENT)']], columns)).toEqual(['       2  dropped: no observer (ENOENT)']);
    expect(
      formatTable(
        [
          ['3', 'sent'],
          ['123456789', 'dropped: kernel queue full'],
        ],
        columns,
      ),
    ).toEqual(['        3  sent', '123456789  dropped: kernel queue full']);
  });

  it('an empty table is its header alone (or nothing); missing cells are blank; the gap can be changed', () => {
    expect(formatTable([], [{ header: 'PID' }, { header: 'STATE' }])).toEqual(['PID  STATE']);
    expect(formatTable([], [{}, {}])).toEqual([]);
    expect(formatTable([['a'], ['bbb', 'x']], [{}, {}])).toEqual(['a', 'bbb  x']);
    expect(formatTable([['47', '×', 'dropped']], [{ align: 'right', minWidth: 3 }, {}, {}], ' ')).toEqual([' 47 × dropped']);
  });
});
