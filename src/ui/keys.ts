// Turns what ink's useInput delivers into single key events. Ink hands a burst of plain characters to
// the handler as one string ("jj", "ja", "j\r"); split it so every character counts as one key.
import type { Key } from 'ink';

export interface KeyEvent {
  /** Normalised name: a printable character as itself ('j', 'A', '/'), or 'enter', 'esc', 'tab', 'shift+tab',
   * 'space', 'backspace', 'delete', 'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'ctrl+x'. */
  name: string;
  /** The printable text this key types into an input field ('' for control keys). */
  text: string;
}

const CONTROL_CHARS: Record<string, string> = {
  '\r': 'enter',
  '\n': 'enter',
  '\t': 'tab',
  '\x7f': 'backspace',
  '\b': 'backspace',
  '\x1b': 'esc',
};

function fromChar(ch: string): KeyEvent {
  const control = CONTROL_CHARS[ch];
  if (control) return { name: control, text: '' };
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 1 && code <= 26) return { name: `ctrl+${String.fromCharCode(code + 96)}`, text: '' };
  if (code < 32) return { name: `ctrl+${code}`, text: '' };
  if (ch === ' ') return { name: 'space', text: ' ' };
  return { name: ch, text: ch };
}

export function keyEvents(input: string, key: Key): KeyEvent[] {
  if (key.upArrow) return [{ name: 'up', text: '' }];
  if (key.downArrow) return [{ name: 'down', text: '' }];
  if (key.leftArrow) return [{ name: 'left', text: '' }];
  if (key.rightArrow) return [{ name: 'right', text: '' }];
  if (key.pageUp) return [{ name: 'pageup', text: '' }];
  if (key.pageDown) return [{ name: 'pagedown', text: '' }];
  if (key.home) return [{ name: 'home', text: '' }];
  if (key.end) return [{ name: 'end', text: '' }];
  if (key.return) return [{ name: 'enter', text: '' }];
  if (key.tab) return [{ name: key.shift ? 'shift+tab' : 'tab', text: '' }];
  if (key.backspace) return [{ name: 'backspace', text: '' }];
  if (key.delete) return [{ name: 'delete', text: '' }];
  if (key.escape) return [{ name: 'esc', text: '' }];
  if (key.ctrl && input.length === 1) return [{ name: `ctrl+${input.toLowerCase()}`, text: '' }];
  // Alt/meta chords are not bound; ignoring them is safer than reading them as plain letters.
  if (key.meta) return [];
  return Array.from(input).map(fromChar);
}
