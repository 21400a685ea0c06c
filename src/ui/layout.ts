// How the console divides the terminal. Pure, so the sizes are tested without rendering.
export const FLOOR = { columns: 40, rows: 8 } as const;
export const COMPACT_BELOW = { columns: 60, rows: 12 } as const;

export interface Layout {
  tooSmall: boolean;
  compact: boolean;
  /** Lines for the view in front (tables include their header line). */
  viewHeight: number;
  /** Rows of tasks the Queue asks the engine for. */
  pageSize: number;
  bannerHeight: number;
}

export function layoutFor(columns: number, rows: number, forceCompact: boolean, banner: boolean): Layout {
  const tooSmall = columns < FLOOR.columns || rows < FLOOR.rows;
  const compact = forceCompact || columns < COMPACT_BELOW.columns || rows < COMPACT_BELOW.rows;
  // One line is left free: ink redraws the whole screen when a frame fills the terminal.
  const usable = rows - 1;
  const bannerHeight = banner ? (compact ? 2 : 4) : 0;
  // header(+rule) tabs message footer(+rule)
  const chrome = compact ? 1 + 1 + 1 + 1 : 2 + 1 + 1 + 2;
  const viewHeight = Math.max(2, usable - chrome - bannerHeight);
  return { tooSmall, compact, viewHeight, pageSize: Math.max(1, viewHeight - 1), bannerHeight };
}
