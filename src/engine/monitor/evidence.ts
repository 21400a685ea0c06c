// Evidence that may be shown and stored: short, printable, and with secrets masked.
import { maskSecrets } from './secrets.js';

const MAX_EXCERPT = 200;

/** A printable, secret-masked excerpt of hostile text, cut to a readable length. */
export function maskedExcerpt(text: string, max = MAX_EXCERPT): string {
  let s = '';
  for (let i = 0; i < text.length && s.length < max; i++) {
    const c = text.charCodeAt(i);
    // Control characters could rewrite the operator's terminal; show them as escapes.
    s += c < 32 || c === 127 ? `\\x${c.toString(16).padStart(2, '0')}` : text[i];
  }
  const cut = text.length > s.length ? s + '…' : s;
  return maskSecrets(cut);
}
