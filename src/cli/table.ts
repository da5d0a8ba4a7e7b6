// The one table renderer: every command that prints rows in columns goes
// through here, so all tables read alike.

export interface Column {
  /** Printed above the rows; a table has a header line when any column has one. */
  header?: string;
  /** 'right' for counts; default 'left'. */
  align?: 'left' | 'right';
  /** The column is at least this wide (a summary keeps its layout whatever the counts). */
  minWidth?: number;
}

/**
 * Lines of a table: each column as wide as its widest cell (or `minWidth`),
 * columns `gap` apart, no trailing blanks. Missing cells are empty.
 */
export function formatTable(rows: readonly (readonly string[])[], columns: readonly Column[], gap = '  '): string[] {
  const lines = columns.some((c) => c.header !== undefined) ? [columns.map((c) => c.header ?? ''), ...rows] : rows;
  const widths = columns.map((c) => c.minWidth ?? 0);
  for (const row of lines) columns.forEach((_, i) => (widths[i] = Math.max(widths[i]!, (row[i] ?? '').length)));
  return lines.map((row) =>
    columns
      .map((c, i) => (c.align === 'right' ? (row[i] ?? '').padStart(widths[i]!) : (row[i] ?? '').padEnd(widths[i]!)))
      .join(gap)
      .trimEnd(),
  );
}
