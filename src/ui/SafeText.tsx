// The console's one boundary for text (law 11, docs/security.md): every <Text> in the console is this
// one, and it shows control characters in its string children as `\u{…}` escapes (escapeControls,
// the escaper the CLI's output uses). A task description, reason, command, agent or tool name, or
// alert message carrying ESC ] 0;… (a pane title), ESC [2J, \r, U+202E or U+009B is shown, never obeyed.
// Components import Text from here, never from ink (test/unit/ui/safeText.test.tsx checks it).
import React from 'react';
import { Text as InkText, type TextProps } from 'ink';
import { escapeControls } from '../shared/text.js';

function safe(child: React.ReactNode): React.ReactNode {
  return typeof child === 'string' ? escapeControls(child) : child;
}

export function Text(props: TextProps): React.ReactElement {
  const { children } = props;
  // Most texts have one string child: escape it without walking a list.
  const shown = typeof children === 'string' ? escapeControls(children) : Array.isArray(children) ? React.Children.map(children, safe) : children;
  return <InkText {...props}>{shown}</InkText>;
}
