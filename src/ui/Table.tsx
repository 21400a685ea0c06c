// A small table for ink 6 (ink-table does not work with it): fixed columns, one line per row,
// the last column takes the rest of the width; text is cut, never wrapped.
import React from 'react';
import { Box, Text } from 'ink';
import { fit } from './format.js';
import type { Color } from './theme.js';
import { useTheme } from './hooks.js';

export interface Column<T> {
  header: string;
  /** Characters; omit for the one flexible column. */
  width?: number;
  align?: 'left' | 'right';
  value: (row: T) => string;
}

export interface TableProps<T> {
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  width: number;
  /** Index in rows of the selected row, or -1. */
  selected: number;
  marked?: (row: T) => boolean;
  rowKey: (row: T) => string;
  /** Colour of the whole row (status or severity, as k9s does): one styled run per line keeps frames cheap. */
  rowColor?: (row: T) => Color;
  empty?: string;
}

function cell<T>(col: Column<T>, text: string, width: number, last = false): string {
  // The last column is not padded: trailing blanks cost ink time on every frame and show nothing.
  if (last) return fit(text, width);
  if (col.align === 'right') {
    const t = fit(text, width);
    return ' '.repeat(Math.max(0, width - Array.from(t).length)) + t;
  }
  return fit(text, width, true);
}

export function Table<T>({ columns, rows, width, selected, marked, rowKey, rowColor, empty }: TableProps<T>): React.ReactElement {
  const theme = useTheme();
  const fixed = columns.reduce((n, c) => n + (c.width ?? 0) + 1, 2);
  const flex = Math.max(4, width - fixed);
  const widthOf = (c: Column<T>) => c.width ?? flex;
  return (
    <Box flexDirection="column">
      <Text color={theme.text.secondary} wrap="truncate-end">
        {'  ' + columns.map((c, ci) => cell(c, c.header, widthOf(c), ci === columns.length - 1)).join(' ')}
      </Text>
      {rows.length === 0 ? (
        <Text color={theme.text.secondary}>{'  ' + (empty ?? 'nothing here')}</Text>
      ) : (
        rows.map((row, i) => {
          const isSel = i === selected;
          const mark = marked?.(row) ? '*' : ' ';
          return (
            <Text key={rowKey(row)} inverse={isSel && theme.colored} color={rowColor?.(row)} wrap="truncate-end">
              {(isSel ? '›' : ' ') + mark + columns.map((c, ci) => cell(c, c.value(row), widthOf(c), ci === columns.length - 1)).join(' ')}
            </Text>
          );
        })
      )}
    </Box>
  );
}

/** First row to show so the selection stays in a window of `height` rows. */
export function windowStart(selected: number, count: number, height: number): number {
  if (count <= height) return 0;
  return Math.max(0, Math.min(selected - Math.floor(height / 2), count - height));
}
