// A pending firewall ask shown over any view, with its countdown and the keys that answer it.
import React from 'react';
import { Box, Text } from 'ink';
import type { Prompt, Segment } from '../shared/firewall.js';
import { countdown, fit } from './format.js';
import { bindingsFor } from './keymap.js';
import { useTheme } from './hooks.js';

export function promptSubject(p: Prompt): string {
  if (p.command !== null) return p.command;
  if (p.tool) return `${p.tool.server}/${p.tool.tool} ${JSON.stringify(p.tool.args)}`;
  return '(empty)';
}

/** The first segment that did not match an allow rule: the reason the ask exists. */
export function missedSegment(p: Prompt): { index: number; segment: Segment } | null {
  const i = p.segments.findIndex((s) => s.verdict !== 'allow');
  const s = p.segments[i];
  return s ? { index: i, segment: s } : null;
}

export function whyAsked(p: Prompt, mode: string | null): string {
  const miss = missedSegment(p);
  const by = p.rule ? `rule ${p.rule}` : `policy: ${mode ?? 'ask'}`;
  if (!miss) return `${p.reason} (${by})`;
  const why = miss.segment.note ?? (miss.segment.matched_rule ? `matched ${miss.segment.matched_rule}` : 'matched no rule');
  return `segment ${miss.index + 1} \`${miss.segment.argv.join(' ')}\` ${why} (${by})`;
}

export function promptKeyHints(readonly: boolean): string {
  if (readonly) return 'read-only console: answer from another console or `gatehouse prompts`';
  return bindingsFor(['prompt'], false)
    .map((b) => `${b.keys[0]} ${b.hint}`)
    .join('   ');
}

export function PromptBanner(props: { prompts: readonly Prompt[]; now: number; width: number; compact: boolean; readonly: boolean; mode: string | null }): React.ReactElement | null {
  const theme = useTheme();
  const p = props.prompts[0];
  if (!p) return null;
  const more = props.prompts.length > 1 ? ` (+${props.prompts.length - 1} more: 2)` : '';
  const left = `▲ ASK  agent ${p.agent}${p.task_id ? ` · task ${p.task_id}` : ''}${p.cwd ? ` · cwd ${p.cwd}` : ''}${more}`;
  const right = `expires in ${countdown(p.expires_at, props.now)}`;
  const w = props.width - 2;
  if (props.compact) {
    return (
      <Box flexDirection="column">
        <Text color={theme.state.warn} bold wrap="truncate-end">
          {' ' + fit(`▲ ${p.agent}: ${promptSubject(p)}`, Math.max(4, w - 6), true) + ' ' + countdown(p.expires_at, props.now)}
        </Text>
        <Text wrap="truncate-end">{' ' + fit(props.readonly ? 'read-only' : 'a once  t task  A always  d deny  D why', w)}</Text>
      </Box>
    );
  }
  const gap = Math.max(1, w - Array.from(left).length - right.length);
  return (
    <Box flexDirection="column">
      <Text color={theme.state.warn} bold wrap="truncate-end">
        {' ' + fit(left, w - right.length - 1) + ' '.repeat(Math.max(1, gap)) + right}
      </Text>
      <Text wrap="truncate-end">
        {'   '}
        <Text bold>{fit(promptSubject(p), Math.floor(w / 2))}</Text>
        <Text color={theme.text.secondary}>{'   ' + whyAsked(p, props.mode)}</Text>
      </Text>
      <Text wrap="truncate-end">{'   ' + promptKeyHints(props.readonly)}</Text>
    </Box>
  );
}
