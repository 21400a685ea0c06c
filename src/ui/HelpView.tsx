// The `?` screen, generated from the keymap table.
import React from 'react';
import { Box, Text } from 'ink';
import { helpLines } from './keymap.js';
import { fit } from './format.js';
import { useTheme } from './hooks.js';

export function HelpView(props: { width: number; height: number; readonly: boolean }): React.ReactElement {
  const theme = useTheme();
  const lines = helpLines(props.readonly);
  const h = Math.max(1, props.height - 1);
  // Two columns when the terminal is wide enough to show every binding at once.
  const cols = lines.length > h && props.width >= 120 ? 2 : 1;
  const colW = Math.floor((props.width - 2) / cols);
  const perCol = Math.ceil(lines.length / cols);
  return (
    <Box flexDirection="column">
      <Text bold>{' Keys  (esc or ? closes)'}</Text>
      <Box flexDirection="row">
        {Array.from({ length: cols }, (_, c) => (
          <Box key={c} flexDirection="column" width={colW}>
            {lines.slice(c * perCol, c * perCol + perCol).slice(0, h).map((l, i) => (
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
