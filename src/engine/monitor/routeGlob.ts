// `known_routes` globs: `*` one path segment, `**` any depth, `?` one character. Compiled once to
// a single RE2 program, so testing a hostile path is linear in its length.
import { RE2JS } from 're2js';

export function globToRe2(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `/**` also matches the bare parent: `/api/**` covers `/api`.
        if (out.endsWith('/')) out = out.slice(0, -1) + '(?:/.*)?';
        else out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else out += /[\\.+()|[\]{}^$]/.test(c) ? `\\${c}` : c;
  }
  return out;
}

export class RouteMatcher {
  private readonly re: RE2JS | null;
  constructor(readonly globs: string[]) {
    this.re = globs.length ? RE2JS.compile(`^(?:${globs.map((g) => `(?:${globToRe2(g)})`).join('|')})$`) : null;
  }
  /** True when no routes are configured (nothing is unknown) or the path matches one of them. */
  known(path: string): boolean {
    return this.re === null || this.re.test(path);
  }
}
