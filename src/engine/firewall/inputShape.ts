// The shape of a command line read in one pass before the parser sees it: how deeply it nests and how
// many words it has. Input past these limits is denied unparsed (law 5 at the limits), which bounds the
// time and memory one decision can cost and keeps deep recursion out of the parser and the walker.

/** Deepest nesting of brackets, substitutions and compound commands read; deeper input is denied unparsed. */
export const MAX_NESTING_DEPTH = 48;
export const TOO_DEEP = 'too deeply nested to verify';
/** Most words (roughly: runs of text between blanks and operators) read; parse time grows with them. */
export const MAX_WORDS = 8_000;

const OPENING_WORDS = new Set(['if', 'while', 'until', 'for', 'case', 'select']);
const CLOSING_WORDS = new Set(['fi', 'done', 'esac']);

/**
 * How deeply the text nests brackets, substitutions, backquotes and compound commands, and roughly how
 * many words it has (stops counting depth past `limit`). Quoting is followed roughly: an over-count
 * only denies text no person writes.
 */
export function measureShape(text: string, limit: number): { depth: number; words: number } {
  let words = 0;
  let depth = 0;
  let max = 0;
  let dq = false;
  let bq = false;
  let wordStart = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let delta = 0;
    let starts = false;
    switch (c) {
      case 92: // backslash
        i++;
        break;
      case 39: // '
        if (!dq) {
          const end = text.indexOf("'", i + 1);
          if (end < 0) return { depth: max, words };
          i = end;
        }
        break;
      case 34: // "
        dq = !dq;
        break;
      case 96: // `
        delta = bq ? -1 : 1;
        bq = !bq;
        starts = true;
        break;
      case 36: {
        // $( and ${
        const next = text.charCodeAt(i + 1);
        if (next === 40 || next === 123) {
          delta = 1;
          i++;
          starts = true;
        }
        break;
      }
      case 40: // (
      case 123: // {
        if (!dq) delta = 1;
        starts = true;
        break;
      case 91: // [
        if (!dq) delta = 1;
        break;
      case 41: // )
      case 125: // }
        delta = -1;
        starts = true;
        break;
      case 93: // ]
        if (!dq) delta = -1;
        break;
      case 32:
      case 9:
      case 10:
      case 59: // ;
      case 38: // &
      case 124: // |
        starts = true;
        break;
      default:
        if (!dq && wordStart && c >= 97 && c <= 122) {
          let j = i;
          while (j < n && j - i < 7 && text.charCodeAt(j) >= 97 && text.charCodeAt(j) <= 122) j++;
          const end = text.charCodeAt(j);
          if (j >= n || end === 32 || end === 9 || end === 10 || end === 59 || end === 38 || end === 124 || end === 40 || end === 41) {
            const w = text.slice(i, j);
            delta = OPENING_WORDS.has(w) ? 1 : CLOSING_WORDS.has(w) ? -1 : 0;
          }
          i = j - 1;
        }
    }
    if (starts && !wordStart && !dq) words++;
    wordStart = starts;
    if (delta !== 0) {
      depth = Math.max(0, depth + delta);
      if (depth > max) {
        max = depth;
        if (max > limit) return { depth: max, words };
      }
    }
  }
  return { depth: max, words };
}
