// The most recent ledger records, newest first (a ring buffer: the console never holds the whole chain).
import React from 'react';
import type { LedgerRecord } from '../shared/ledger.js';
import { clock } from './format.js';
import { Table, windowStart, type Column } from './Table.js';
import { useConsole } from './hooks.js';

export function LedgerView(props: { width: number; height: number; compact: boolean }): React.ReactElement {
  const raw = useConsole((s) => s.ledger);
  const selId = useConsole((s) => s.selected.ledger);
  const records = raw.slice().reverse();
  const sel = Math.max(0, records.findIndex((r) => String(r.seq) === selId));
  const columns: Column<LedgerRecord>[] = [
    { header: 'SEQ', width: 6, align: 'right', value: (r) => String(r.seq) },
    { header: 'TIME', width: 8, value: (r) => clock(r.ts) },
    ...(props.compact ? [] : [{ header: 'ACTOR', width: 10, value: (r: LedgerRecord) => r.actor }, { header: 'SURFACE', width: 8, value: (r: LedgerRecord) => r.surface }]),
    { header: 'ACTION', width: props.compact ? 14 : 20, value: (r) => r.action },
    { header: 'SUBJECT / REASON', value: (r) => [r.subject, r.reason].filter(Boolean).join(' · ') },
  ];
  const h = Math.max(1, props.height - 1);
  const start = windowStart(sel, records.length, h);
  return <Table columns={columns} rows={records.slice(start, start + h)} width={props.width} selected={sel - start} rowKey={(r) => String(r.seq)} empty="no ledger records yet" />;
}
