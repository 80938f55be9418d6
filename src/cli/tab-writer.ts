// Go text/tabwriter layout for the tables logcli prints (series --analyze-labels, --stats): every
// line has the same number of tab-terminated cells. Pure; returns the text, never writes it.

export interface TabLayout {
  minWidth: number;
  tabWidth: number;
  padding: number;
  /** ' ' pads with spaces; '\t' pads with tabs to tab stops, as tabwriter does. */
  padChar: ' ' | '\t';
}

/**
 * Lays out `rows` (each row: the tab-terminated cells, then the trailing text after the last tab)
 * with each column as wide as its widest cell plus padding, and returns the joined lines.
 */
export function layoutTable(rows: readonly (readonly string[])[], o: TabLayout): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) {
      const w = [...row[c]].length + o.padding;
      widths[c] = Math.max(widths[c] ?? o.minWidth, w);
    }
  }
  let out = '';
  for (const row of rows) {
    for (let c = 0; c < row.length - 1; c++) {
      const text = row[c];
      out += text + padding([...text].length, widths[c], o);
    }
    out += row[row.length - 1] + '\n';
  }
  return out;
}

function padding(textWidth: number, cellWidth: number, o: TabLayout): string {
  if (o.padChar === '\t') {
    if (o.tabWidth === 0) return '';
    const rounded = Math.ceil(cellWidth / o.tabWidth) * o.tabWidth;
    return '\t'.repeat(Math.ceil((rounded - textWidth) / o.tabWidth));
  }
  return ' '.repeat(cellWidth - textWidth);
}
