// A small table for ink 6 (ink-table does not work with it): fixed columns, one line per row,
// the last column takes the rest of the width; text is cut, never wrapped.
import React from 'react';
import { Box } from 'ink';
import { Text } from './SafeText.js';
import { fit, fitRight } from './format.js';
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

/** Each column's width in characters: the fixed ones as given, the flexible one takes the rest. */
export function columnWidths<T>(columns: ReadonlyArray<Column<T>>, width: number): number[] {
  const fixed = columns.reduce((n, c) => n + (c.width ?? 0) + 1, 2);
  const flex = Math.max(4, width - fixed);
  return columns.map((c) => c.width ?? flex);
}

function cell<T>(col: Column<T>, text: string, width: number, last: boolean): string {
  // The last column is not padded: trailing blanks cost ink time on every frame and show nothing.
  if (last) return fit(text, width);
  return col.align === 'right' ? fitRight(text, width) : fit(text, width, true);
}

/** One row as the line the terminal shows: cells pre-padded and pre-cut, so ink lays out one node per row. */
export function rowLine<T>(columns: ReadonlyArray<Column<T>>, widths: readonly number[], values: (c: Column<T>) => string): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    line += (i === 0 ? '' : ' ') + cell(c, values(c), widths[i]!, i === columns.length - 1);
  }
  return line;
}

/** A row is one <Text>: one Yoga node, one styled run. Memoised on its text, so a refresh that leaves a
 * row as it was does not touch it. */
const Row = React.memo(function Row(props: { line: string; color: Color; inverse: boolean }): React.ReactElement {
  return (
    <Text inverse={props.inverse} color={props.color} wrap="truncate-end">
      {props.line}
    </Text>
  );
});

export function Table<T>({ columns, rows, width, selected, marked, rowKey, rowColor, empty }: TableProps<T>): React.ReactElement {
  const theme = useTheme();
  const widths = columnWidths(columns, width);
  return (
    <Box flexDirection="column">
      <Text color={theme.text.secondary} wrap="truncate-end">
        {'  ' + rowLine(columns, widths, (c) => c.header)}
      </Text>
      {rows.length === 0 ? (
        <Text color={theme.text.secondary}>{'  ' + (empty ?? 'nothing here')}</Text>
      ) : (
        rows.map((row, i) => {
          const isSel = i === selected;
          const line = (isSel ? '›' : ' ') + (marked?.(row) ? '*' : ' ') + rowLine(columns, widths, (c) => c.value(row));
          return <Row key={rowKey(row)} line={line} color={rowColor?.(row)} inverse={isSel && theme.colored} />;
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
