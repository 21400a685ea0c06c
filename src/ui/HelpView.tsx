// The `?` screen, generated from the keymap table. Taller than the screen (80×24 shows about 17 lines),
// it scrolls with j/k, PgDn/PgUp and g/G; the title says which lines are shown.
import React from 'react';
import { Box } from 'ink';
import { Text } from './SafeText.js';
import { helpLines } from './keymap.js';
import { fit } from './format.js';
import { useConsole, useTheme } from './hooks.js';

/** The title line: how to close and, when the help does not fit, how to scroll and where we are. */
export function helpTitle(first: number, shown: number, total: number): string {
  if (shown >= total) return ' Keys  (esc or ? closes)';
  return ` Keys  lines ${first + 1}–${Math.min(total, first + shown)} of ${total}  (j/k PgDn/PgUp scroll · esc closes)`;
}

export function HelpView(props: { width: number; height: number; readonly: boolean }): React.ReactElement {
  const theme = useTheme();
  const scroll = useConsole((s) => s.helpScroll);
  const lines = helpLines(props.readonly);
  const h = Math.max(1, props.height - 1);
  // Two columns when the terminal is wide enough to show more bindings at once.
  const cols = lines.length > h && props.width >= 120 ? 2 : 1;
  const colW = Math.floor((props.width - 2) / cols);
  const visible = h * cols;
  const first = Math.max(0, Math.min(scroll, lines.length - visible));
  const shown = lines.slice(first, first + visible);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">{fit(helpTitle(first, visible, lines.length), props.width - 1)}</Text>
      <Box flexDirection="row">
        {Array.from({ length: cols }, (_, c) => (
          <Box key={c} flexDirection="column" width={colW}>
            {shown.slice(c * h, c * h + h).map((l, i) => (
              <Text key={i} color={l.startsWith('  ') ? undefined : theme.text.accent} wrap="truncate-end">
                {' ' + fit(l, colW - 1)}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
