// Everything about one task: fields, constraints, the transitions as a timeline, context, result, logs.
import React from 'react';
import { Box } from 'ink';
import { Text } from './SafeText.js';
import type { TaskDetail } from '../shared/task.js';
import { assistantLines, LabelledLine, type Line } from './AssistantBrief.js';
import { age, clock, duration, money } from './format.js';
import { useConsole, useTheme } from './hooks.js';
import type { Theme } from './theme.js';

function constraintText(c: TaskDetail['constraints'][number]): string {
  const v = c.type === 'cost_limit' ? money(c.value) : c.type === 'time_limit' ? duration(c.value) : String(c.value);
  return `${c.type} ${v}${c.reason ? ` (${c.reason})` : ''}`;
}

export function detailLines(t: TaskDetail, theme: Theme): Line[] {
  const lines: Line[] = [];
  const add = (label: string, text: string, color?: string) => lines.push({ label, text, color });
  add('description', t.description || '—');
  add('status', `${t.status}${t.decided_by ? ` · decided by ${t.decided_by}` : ''}${t.decision_reason ? ` (${t.decision_reason})` : ''}`, theme.status[t.status]);
  add('cost', `estimated ${money(t.estimated_cost)} · actual ${money(t.actual_cost)} · estimated duration ${duration(t.estimated_duration_ms)}`);
  if (t.constraints.length === 0) add('constraints', 'none');
  t.constraints.forEach((c, i) => add(i === 0 ? 'constraints' : '', constraintText(c)));
  if (t.transitions.length === 0) add('timeline', '—');
  t.transitions.forEach((tr, i) =>
    add(i === 0 ? 'timeline' : '', `${clock(tr.at)}  ${tr.from ?? '∅'} → ${tr.to}  by ${tr.by} (${tr.surface})${tr.reason ? ` · ${tr.reason}` : ''}`, theme.status[tr.to]),
  );
  add('times', `created ${t.created_at} · updated ${t.updated_at}${t.start_time ? ` · started ${t.start_time}` : ''}${t.end_time ? ` · ended ${t.end_time}` : ''}`);
  const ctx = Object.entries(t.context);
  add('context', ctx.length === 0 ? '—' : ctx.map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · '));
  if (t.result !== null && t.result !== undefined) add('result', typeof t.result === 'string' ? t.result : JSON.stringify(t.result));
  if (t.error_message) add('error', t.error_message, theme.state.error);
  if (t.logs.length === 0) add('logs', '—');
  t.logs.forEach((l, i) => add(i === 0 ? 'logs' : '', l));
  return lines;
}

export function DetailView(props: { width: number; height: number; now: number }): React.ReactElement {
  const theme = useTheme();
  const detail = useConsole((s) => s.detail);
  if (!detail) return <Text> </Text>;
  if (detail.error) return <Text color={theme.state.error}>{` ${detail.id}: ${detail.error}   (esc back)`}</Text>;
  const t = detail.task;
  if (!t) return <Text color={theme.text.secondary}>{` ${detail.id} loading…`}</Text>;
  const lines = [...detailLines(t, theme), ...assistantLines(detail.assistant, theme)];
  const h = Math.max(1, props.height - 1);
  const scroll = Math.min(detail.scroll, Math.max(0, lines.length - h));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">{` ${t.task_id} · ${t.task_type} · ${t.status} · ${age(t.created_at, props.now)} ago`}</Text>
      {lines.slice(scroll, scroll + h).map((l, i) => (
        <LabelledLine key={i} line={l} width={props.width} theme={theme} />
      ))}
    </Box>
  );
}
