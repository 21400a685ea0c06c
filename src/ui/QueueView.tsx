// The task queue: one windowed page from the engine, selection by task id, marks for bulk actions.
import React, { useMemo } from 'react';
import type { Task } from '../shared/task.js';
import { age, CELL_NONE, hostCell, HOST_WIDTH, money } from './format.js';
import { Table, columnWidths, type Column } from './Table.js';
import { useConsole, useTheme } from './hooks.js';

/** Task ids are `t-` and 12 hex digits: whole in the full layout (an id is what an operator copies into
 * `gatehouse` commands), cut only in the compact one. */
export const TASK_ID_WIDTH = 14;

/** The description gets at least this many characters: the columns an operator can spare go first. */
export const MIN_DESCRIPTION = 30;

/** The Queue's columns for a width: ACTUAL, then TYPE, then AGE are left out while the description would
 * get fewer than MIN_DESCRIPTION characters (80 columns shows ID, STATUS, EST, AGE and a real description). */
export function queueColumns(compact: boolean, now: number, width = Infinity, fleet = false): Column<Task>[] {
  const base = allQueueColumns(compact, now);
  // Over several engines the host comes first: an id alone does not say where the task runs.
  const all = fleet ? [{ header: 'HOST', width: compact ? 6 : HOST_WIDTH, value: hostCell } as Column<Task>, ...base] : base;
  const spare = ['ACTUAL', 'TYPE', 'AGE'];
  let cols = all;
  for (const name of spare) {
    if (columnWidths(cols, width).at(-1)! >= MIN_DESCRIPTION) break;
    cols = cols.filter((c) => c.header !== name);
  }
  return cols;
}

function allQueueColumns(compact: boolean, now: number): Column<Task>[] {
  const id: Column<Task> = { header: 'ID', width: compact ? 9 : TASK_ID_WIDTH, value: (t) => t.task_id };
  const status: Column<Task> = { header: 'STATUS', width: 16, value: (t) => t.status };
  const est: Column<Task> = { header: 'EST', width: 8, align: 'right', value: (t) => money(t.estimated_cost, CELL_NONE) };
  const desc: Column<Task> = { header: 'DESCRIPTION', value: (t) => t.description };
  if (compact) return [id, status, est, desc];
  return [
    id,
    { header: 'TYPE', width: 9, value: (t) => t.task_type },
    status,
    est,
    { header: 'ACTUAL', width: 8, align: 'right', value: (t) => money(t.actual_cost, CELL_NONE) },
    { header: 'AGE', width: 4, align: 'right', value: (t) => age(t.created_at, now) },
    desc,
  ];
}

/** What an empty Queue tells a new operator: where tasks come from and how to see some now. */
export const EMPTY_QUEUE = "no tasks yet: the gateway submits them (POST /api/tasks), or `gatehouse submit -d TEXT --cost USD`; `gatehouse demo` shows everything moving";

export function QueueView(props: { width: number; compact: boolean; now: number }): React.ReactElement {
  const theme = useTheme();
  const q = useConsole((s) => s.queue);
  const fleet = useConsole((s) => s.hosts !== null);
  // Built once per layout and clock tick, not per row or per refresh.
  const columns = useMemo(() => queueColumns(props.compact, props.now, props.width, fleet), [props.compact, props.now, props.width, fleet]);
  const marks = useMemo(() => new Set(q.marks), [q.marks]);
  const selected = q.rows.findIndex((t) => t.task_id === q.selectedId);
  const empty = !q.loaded ? 'loading…' : q.filter.text || q.filter.status || q.filter.host ? 'no task matches the filter (esc clears it)' : EMPTY_QUEUE;
  return (
    <Table
      columns={columns}
      rowColor={(t) => theme.status[t.status]}
      rows={q.rows.slice(0, q.pageSize)}
      width={props.width}
      selected={selected >= 0 ? selected : q.cursor - q.offset}
      marked={(t) => marks.has(t.task_id)}
      rowKey={(t) => `${hostCell(t)}/${t.task_id}`}
      empty={empty}
    />
  );
}
