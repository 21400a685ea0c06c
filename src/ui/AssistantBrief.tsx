// The approval assistant's brief (risk and summary) and chat, as labelled lines: the task detail shows
// all of it, the Prompts view the brief of the selected ask. Advisory, so it always sits after the facts.
import React from 'react';
import { Text } from './SafeText.js';
import type { AssistantInfo } from '../shared/assistant.js';
import type { DetailAssistant } from './consoleState.js';
import { fit } from './format.js';
import type { Theme } from './theme.js';

export interface Line {
  label: string;
  text: string;
  color?: string | undefined;
}

/** Where the brief stands, in one line; null when there is nothing to say (off, or never asked for). */
export function briefLine(info: AssistantInfo, theme: Theme): Line | null {
  const riskColor = { low: theme.state.ok, medium: theme.state.warn, high: theme.state.error, unknown: theme.text.secondary } as const;
  if (info.state === 'off') return null;
  if (info.brief) return { label: 'assistant', text: `risk ${info.brief.risk} · ${info.brief.summary}${info.state === 'briefing' ? ' (re-briefing…)' : ''}`, color: riskColor[info.brief.risk] };
  if (info.state === 'briefing') return { label: 'assistant', text: 'briefing…', color: theme.text.secondary };
  if (info.state === 'failed') return { label: 'assistant', text: `no brief: ${info.error?.error ?? 'error'}: ${info.error?.message ?? ''}`, color: theme.state.error };
  return null;
}

/** The brief and the chat about a task, for its detail. */
export function assistantLines(a: DetailAssistant | undefined, theme: Theme): Line[] {
  const info = a?.history?.info;
  if (!info) return [{ label: 'assistant', text: '—', color: theme.text.secondary }];
  if (info.state === 'off') return [{ label: 'assistant', text: info.reason ?? 'off', color: theme.text.secondary }];
  const lines: Line[] = [briefLine(info, theme) ?? { label: 'assistant', text: 'no brief yet', color: theme.text.secondary }];
  const add = (label: string, text: string, color?: string) => lines.push({ label, text, color });
  for (const m of a?.history?.messages ?? []) add('', `${m.role === 'user' ? 'you' : 'assistant'}: ${m.content.replace(/\s+/g, ' ')}`);
  if (a?.asking) {
    add('', `you: ${a.asking}`);
    add('', 'assistant: …', theme.text.secondary);
  }
  if (a?.error) add('', `could not ask: ${a.error}`, theme.state.error);
  add('', 'c ask a question', theme.text.secondary);
  return lines;
}

export const LABEL_WIDTH = 12;

/** One labelled line: the label in a fixed column, the text cut to the width. */
export function LabelledLine(props: { line: Line; width: number; indent?: number; theme: Theme }): React.ReactElement {
  const pad = ' '.repeat(props.indent ?? 1);
  return (
    <Text wrap="truncate-end">
      <Text color={props.theme.text.secondary}>{pad + fit(props.line.label, LABEL_WIDTH, true) + ' '}</Text>
      <Text color={props.line.color}>{fit(props.line.text, Math.max(4, props.width - LABEL_WIDTH - pad.length - 2))}</Text>
    </Text>
  );
}
