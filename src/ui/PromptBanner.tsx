// A pending firewall ask shown over any view, with its countdown. Its keys are not live until the operator
// takes it up with `p` (see consoleKeys.ts), so a key meant for the view below never answers an ask.
import React from 'react';
import { Box } from 'ink';
import { Text } from './SafeText.js';
import type { Prompt, Segment } from '../shared/firewall.js';
import { countdown, fit } from './format.js';
import { bindingOf, bindingsFor, keyLabel, type Binding } from './keymap.js';
import { useTheme } from './hooks.js';

export function promptSubject(p: Prompt): string {
  // A network ask: the destination, and the command whose sandbox asked.
  if (p.kind === 'network') return `connect ${p.destination ?? '?'}${p.command ? ` (from \`${p.command}\`)` : ''}`;
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
  // The engine names the mode itself as the rule ("policy: ask") when no pattern matched.
  const by = p.rule ? (p.rule.startsWith('policy:') ? p.rule : `rule ${p.rule}`) : `policy: ${mode ?? 'ask'}`;
  if (!miss) return `${p.reason} (${by})`;
  const why = miss.segment.note ?? (miss.segment.matched_rule ? `matched ${miss.segment.matched_rule}` : 'matched no rule');
  return `segment ${miss.index + 1} \`${miss.segment.argv.join(' ')}\` ${why} (${by})`;
}

/** The answer keys, as the Prompts view and the banner (while answering) show them. */
export function promptKeyHints(readonly: boolean, compact = false): string {
  if (readonly) return 'read-only console: answer from another console or `gatehouse resolve`';
  return bindingsFor(['prompt'], false)
    .map((b) => `${keyLabel(b.keys[0] ?? '')} ${compact ? (b.short ?? b.hint) : b.hint}`)
    .join(compact ? ' ' : '   ');
}

/** What the banner's last line offers: `p` to take the ask up, or (while answering) the answers. */
function bannerHints(readonly: boolean, answering: boolean, gone: boolean, compact: boolean): string {
  if (readonly) return compact ? 'read-only' : promptKeyHints(true);
  const hint = (b: Binding) => `${keyLabel(b.keys[0] ?? '')} ${compact ? (b.short ?? b.hint) : b.hint}`;
  const sep = compact ? ' ' : '   ';
  if (!answering) return [hint(bindingOf('prompt.answer')), ...(compact ? [] : [`${bindingOf('view.prompts').keys[0]} every ask`])].join(sep);
  const extra = bindingsFor(['answering'], false).filter((b) => !gone || b.command === 'prompt.leave').map(hint);
  return [...(gone ? [] : [promptKeyHints(false, compact)]), ...extra].join(sep);
}

export interface PromptBannerProps {
  /** The ask shown: the one being answered, else the soonest to expire; null when the one being answered went away. */
  prompt: Prompt | null;
  pending: number;
  /** The id taken up with `p`, or null. */
  answering: string | null;
  now: number;
  width: number;
  compact: boolean;
  readonly: boolean;
  mode: string | null;
}

export function PromptBanner(props: PromptBannerProps): React.ReactElement | null {
  const theme = useTheme();
  const p = props.prompt;
  const answering = props.answering !== null;
  const w = props.width - 2;
  const hints = bannerHints(props.readonly, answering, p === null, props.compact);
  if (!p) {
    if (!answering) return null;
    const gone = `▲ ASK ${props.answering} is no longer pending (answered elsewhere or expired)`;
    return (
      <Box flexDirection="column">
        <Text color={theme.state.warn} bold wrap="truncate-end">{' ' + fit(gone, w)}</Text>
        {props.compact ? null : <Text> </Text>}
        <Text wrap="truncate-end">{(props.compact ? ' ' : '   ') + fit(hints, w - 2)}</Text>
      </Box>
    );
  }
  const tag = answering ? '▶ ANSWERING' : '▲ ASK';
  const more = props.pending > 1 ? ` (+${props.pending - 1} more: 2)` : '';
  const left = `${tag}  agent ${p.agent}${p.task_id ? ` · task ${p.task_id}` : ''}${p.cwd ? ` · cwd ${p.cwd}` : ''}${more}`;
  const right = `expires in ${countdown(p.expires_at, props.now)}`;
  if (props.compact) {
    return (
      <Box flexDirection="column">
        <Text color={theme.state.warn} bold inverse={answering && theme.colored} wrap="truncate-end">
          {' ' + fit(`${answering ? '▶' : '▲'} ${p.agent}: ${promptSubject(p)}`, Math.max(4, w - 6), true) + ' ' + countdown(p.expires_at, props.now)}
        </Text>
        <Text wrap="truncate-end">{' ' + fit(hints, w)}</Text>
      </Box>
    );
  }
  const gap = Math.max(1, w - Array.from(left).length - right.length);
  return (
    <Box flexDirection="column">
      <Text color={theme.state.warn} bold inverse={answering && theme.colored} wrap="truncate-end">
        {' ' + fit(left, w - right.length - 1) + ' '.repeat(Math.max(1, gap)) + right}
      </Text>
      <Text wrap="truncate-end">
        {'   '}
        <Text bold>{fit(promptSubject(p), Math.floor(w / 2))}</Text>
        <Text color={theme.text.secondary}>{'   ' + whyAsked(p, props.mode)}</Text>
      </Text>
      <Text wrap="truncate-end">{'   ' + fit(hints, w - 2)}</Text>
    </Box>
  );
}
