// Pending firewall asks: the list with live countdowns, and the selected ask in full — its segments with
// the one that missed highlighted, what asked, the assistant's brief when there is one, and the rule
// "allow always" would write or why it cannot.
import React from 'react';
import { Box } from 'ink';
import { Text } from './SafeText.js';
import type { Prompt } from '../shared/firewall.js';
import { briefLine, LabelledLine } from './AssistantBrief.js';
import { countdown, fit, hostCell, HOST_WIDTH } from './format.js';
import { Table, windowStart, type Column } from './Table.js';
import { useConsole, useTheme } from './hooks.js';
import { promptKeyHints, promptSubject, whyAsked } from './PromptBanner.js';
import { TASK_ID_WIDTH } from './QueueView.js';

export function PromptsView(props: { width: number; height: number; compact: boolean; now: number; readonly: boolean }): React.ReactElement {
  const theme = useTheme();
  const prompts = useConsole((s) => s.prompts);
  const selId = useConsole((s) => s.selected.prompts);
  const mode = useConsole((s) => s.status?.firewall.mode ?? null);
  const sel = Math.max(0, prompts.findIndex((p) => p.id === selId));
  const p: Prompt | undefined = prompts[sel];
  const held = useConsole((s) => s.promptBrief);
  const hosts = useConsole((s) => s.hosts);
  // A host that is down may hold asks nobody sees: say so above the list, never an empty "all clear".
  const down = (hosts ?? []).filter((h) => h.state !== 'connected').map((h) => h.name);
  const brief = p && held?.id === p.id && !props.compact ? briefLine(held.history.info, theme) : null;
  const columns: Column<Prompt>[] = [
    ...(hosts ? [{ header: 'HOST', width: props.compact ? 6 : HOST_WIDTH, value: hostCell }] : []),
    { header: 'LEFT', width: 5, value: (x) => countdown(x.expires_at, props.now) },
    { header: 'AGENT', width: props.compact ? 8 : 12, value: (x) => x.agent },
    ...(props.compact ? [] : [{ header: 'TASK', width: TASK_ID_WIDTH, value: (x: Prompt) => x.task_id ?? '—' }]),
    { header: 'ASK', value: (x) => promptSubject(x) },
  ];
  const detailLines = p ? (props.compact ? 4 : 6 + p.segments.length + (brief ? 1 : 0)) : 0;
  const listHeight = Math.max(2, Math.min(prompts.length + 1, props.height - detailLines - (down.length ? 1 : 0)));
  const start = windowStart(sel, prompts.length, listHeight - 1);
  const w = props.width - 4;
  return (
    <Box flexDirection="column">
      {down.length ? <Text color={theme.state.error} bold wrap="truncate-end">{` ${down.join(', ')} down: ${down.length === 1 ? 'its' : 'their'} asks are not shown (retrying)`}</Text> : null}
      <Table columns={columns} rowColor={() => theme.state.warn} rows={prompts.slice(start, start + listHeight - 1)} width={props.width} selected={sel - start} rowKey={(x) => x.id} empty={down.length ? 'no pending asks on the hosts that are up' : 'no pending asks'} />
      {p ? (
        <Box flexDirection="column" marginTop={props.compact ? 0 : 1}>
          <Text bold wrap="truncate-end">{'  ' + fit(promptSubject(p), w)}</Text>
          {props.compact ? null : (
            <Text wrap="truncate-end">{`  ${hostCell(p) !== '—' ? `host ${hostCell(p)} · ` : ''}agent ${p.agent} · task ${p.task_id ?? '—'} · cwd ${p.cwd ?? '—'} · ${p.id}`}</Text>
          )}
          {props.compact
            ? null
            : p.segments.map((seg, i) => (
                <Text key={i} wrap="truncate-end" color={seg.verdict === 'allow' ? theme.state.ok : seg.verdict === 'deny' ? theme.state.error : theme.state.warn} bold={seg.verdict !== 'allow'}>
                  {`  ${seg.verdict === 'allow' ? ' ' : '▶'} ${i + 1}. ${seg.argv.join(' ')}  ${seg.verdict}${seg.matched_rule ? ` (${seg.matched_rule})` : ' (no rule)'}${seg.note ? ` — ${seg.note}` : ''}`}
                </Text>
              ))}
          <Text wrap="truncate-end" color={theme.text.secondary}>{'  asked: ' + whyAsked(p, mode)}</Text>
          {brief ? <LabelledLine line={brief} width={props.width} indent={2} theme={theme} /> : null}
          <Text wrap="truncate-end">
            {p.always_rule !== null ? `  allow always writes: ${p.always_rule}` : `  allow always refused: ${p.always_refusal ?? 'no narrow rule can cover it (shells, interpreters, sudo)'}`}
          </Text>
          {props.compact ? null : <Text wrap="truncate-end">{'  ' + promptKeyHints(props.readonly)}</Text>}
        </Box>
      ) : null}
    </Box>
  );
}
