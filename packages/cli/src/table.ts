/**
 * Rows laid out in aligned columns for the terminal. Columns are measured in display width
 * (string-width: East Asian wide characters and emoji take two columns, combining marks none),
 * not in UTF-16 code units, so a table with `数据库` or `🔑 api` in it stays aligned.
 *
 * A module of its own, imported only by the commands that print tables: string-width (and its
 * Unicode tables) stays out of start-up for the others.
 */
import stringWidth from "string-width";

/** Lays out rows in aligned columns (two spaces apart); the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => widestLine(row[column] ?? ""))));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : padToWidth(cell, widths[column]!)))
        .join("  "),
    )
    .join("\n");
}

/** How many terminal columns `text` takes (one line). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** The display width of a cell: that of its widest line (a multi-line value continues below). */
function widestLine(cell: string): number {
  return Math.max(0, ...cell.split("\n").map((line) => stringWidth(line)));
}

function padToWidth(cell: string, width: number): string {
  return cell + " ".repeat(Math.max(0, width - stringWidth(cell)));
}
