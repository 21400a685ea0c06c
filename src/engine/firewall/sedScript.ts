// Reads a sed script far enough to know whether it runs commands or writes files (law 4a): the `e`
// command and s///e run the pattern space as a command; `w`, `W` and s///w write files (GNU sed manual,
// "sed scripts"; GTFOBins sed). A script this reader does not understand counts as running commands.

export interface SedRisk {
  effect: 'exec' | 'write';
  why: string;
}

const SIMPLE = new Set(['=', 'd', 'D', 'g', 'G', 'h', 'H', 'n', 'N', 'p', 'P', 'x', 'z', 'F', '{', '}']);
const WITH_NUMBER = new Set(['q', 'Q', 'l', 'L']);

/** The first part of the script that runs a command or writes a file, or null when it does neither. */
export function sedScriptRisk(text: string): SedRisk | null {
  let i = 0;
  const n = text.length;
  /** Skips a delimited part (`/re/`, s's pattern and replacement); false when it never ends. */
  const delimited = (delim: string): boolean => {
    for (; i < n; i++) {
      const c = text[i]!;
      if (c === '\\') i++;
      else if (c === delim) {
        i++;
        return true;
      } else if (c === '\n' && delim !== '\n') return false;
    }
    return false;
  };
  const toLineEnd = (): void => {
    while (i < n && text[i] !== '\n') i++;
  };
  const address = (): boolean => {
    const c = text[i];
    if (c === undefined) return true;
    if (/[0-9]/.test(c)) {
      while (i < n && /[0-9~]/.test(text[i]!)) i++;
    } else if (c === '$') i++;
    else if (c === '/') {
      i++;
      if (!delimited('/')) return false;
      while (i < n && /[IM]/.test(text[i]!)) i++;
    } else if (c === '\\') {
      const d = text[i + 1];
      if (d === undefined) return false;
      i += 2;
      if (!delimited(d)) return false;
      while (i < n && /[IM]/.test(text[i]!)) i++;
    } else if (c === '+' || c === '~') {
      i++;
      while (i < n && /[0-9]/.test(text[i]!)) i++;
    }
    return true;
  };
  while (i < n) {
    const c0 = text[i]!;
    if (c0 === ' ' || c0 === '\t' || c0 === '\n' || c0 === ';') {
      i++;
      continue;
    }
    if (c0 === '#') {
      toLineEnd();
      continue;
    }
    if (!address()) return { effect: 'exec', why: 'an address this reader cannot follow' };
    while (text[i] === ' ') i++;
    if (text[i] === ',') {
      i++;
      while (text[i] === ' ') i++;
      if (!address()) return { effect: 'exec', why: 'an address this reader cannot follow' };
    }
    while (text[i] === ' ' || text[i] === '!') i++;
    const cmd = text[i];
    if (cmd === undefined) return null;
    i++;
    if (SIMPLE.has(cmd)) continue;
    if (WITH_NUMBER.has(cmd)) {
      while (i < n && /[ 0-9]/.test(text[i]!)) i++;
      continue;
    }
    switch (cmd) {
      case 'e':
        return { effect: 'exec', why: 'the e command runs a command' };
      case 'w':
      case 'W':
        return { effect: 'write', why: `the ${cmd} command writes a file` };
      case 'r':
      case 'R':
      case 'a':
      case 'i':
      case 'c':
        // Text or a file name to the end of the line; a backslash-newline continues a/i/c text.
        while (i < n && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
        continue;
      case ':':
      case 'b':
      case 't':
      case 'T':
      case 'v':
        while (i < n && text[i] !== '\n' && text[i] !== ';') i++;
        continue;
      case 's':
      case 'y': {
        const d = text[i];
        if (d === undefined || d === '\n' || d === '\\') return { effect: 'exec', why: `an ${cmd} command this reader cannot follow` };
        i++;
        if (!delimited(d) || !delimited(d)) return { effect: 'exec', why: `an unterminated ${cmd} command` };
        if (cmd === 'y') continue;
        for (; i < n; i++) {
          const f = text[i]!;
          if (f === 'e') return { effect: 'exec', why: 'the s///e flag runs the result as a command' };
          if (f === 'w') return { effect: 'write', why: 'the s///w flag writes a file' };
          if (!/[gpiImM0-9]/.test(f)) break;
        }
        continue;
      }
      default:
        return { effect: 'exec', why: `sed command ${JSON.stringify(cmd)} is not one this reader knows` };
    }
  }
  return null;
}
