// The most recent ledger records, newest first (a ring buffer: the console never holds the whole chain);
// over a fleet with a HOST column, each record known by its host and number.
import React from 'react';
import type { LedgerRecord } from '../shared/ledger.js';
import { clock, hostCell, HOST_WIDTH } from './format.js';
import { ledgerKey } from './consoleState.js';
import { Table, windowStart, type Column } from './Table.js';
import { useConsole } from './hooks.js';

export function LedgerView(props: { width: number; height: number; compact: boolean }): React.ReactElement {
  const raw = useConsole((s) => s.ledger);
  const selId = useConsole((s) => s.selected.ledger);
  const fleet = useConsole((s) => s.hosts !== null);
  const records = raw.slice().reverse();
  const sel = Math.max(0, records.findIndex((r) => ledgerKey(r) === selId));
  const columns: Column<LedgerRecord>[] = [
    ...(fleet ? [{ header: 'HOST', width: props.compact ? 6 : HOST_WIDTH, value: hostCell }] : []),
    { header: 'SEQ', width: 6, align: 'right', value: (r) => String(r.seq) },
    { header: 'TIME', width: 8, value: (r) => clock(r.ts) },
    ...(props.compact ? [] : [{ header: 'ACTOR', width: 10, value: (r: LedgerRecord) => r.actor }, { header: 'SURFACE', width: 8, value: (r: LedgerRecord) => r.surface }]),
    { header: 'ACTION', width: props.compact ? 14 : 20, value: (r) => r.action },
    { header: 'SUBJECT / REASON', value: (r) => [r.subject, r.reason].filter(Boolean).join(' · ') },
  ];
  const h = Math.max(1, props.height - 1);
  const start = windowStart(sel, records.length, h);
  return <Table columns={columns} rows={records.slice(start, start + h)} width={props.width} selected={sel - start} rowKey={ledgerKey} empty="no ledger records yet" />;
}
