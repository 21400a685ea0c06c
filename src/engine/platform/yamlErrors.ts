// Turns zod issues on a YAML/JSON document into messages a person can act on:
// file, line, key path, the bad value and what is allowed.
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

export interface ParsedDoc {
  doc: Document;
  lines: LineCounter;
  file: string;
}

export class DocumentError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
    this.name = 'DocumentError';
  }
}

/** Parses YAML (JSON is YAML) and keeps positions; syntax errors become a DocumentError with lines. */
export function parseYamlDocument(text: string, file: string): ParsedDoc {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new DocumentError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return `${pos ? `line ${pos.line}:${pos.col}: ` : ''}${e.message.split('\n')[0]}`;
      }),
    );
  }
  return { doc, lines, file };
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function lineOf(parsed: ParsedDoc | undefined, path: PropertyKey[]): string {
  if (!parsed) return '';
  for (let n = path.length; n >= 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return `line ${parsed.lines.linePos(node.range[0]).line}: `;
  }
  return '';
}

export function formatIssues(issues: z.core.$ZodIssue[], parsed?: ParsedDoc, root = ''): string[] {
  return issues.map((issue) => {
    const path = issue.path as PropertyKey[];
    const key = [root, ...path.map(String)].filter(Boolean).join('.') || '(top level)';
    const input = 'input' in issue ? (issue as { input?: unknown }).input : undefined;
    let allowed = issue.message;
    if (issue.code === 'unrecognized_keys') {
      return `${lineOf(parsed, path)}${key}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    if (issue.code === 'invalid_value' && 'values' in issue) allowed = `allowed: ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    return `${lineOf(parsed, path)}${key}: ${describeValue(input)} is not valid (${allowed})`;
  });
}

/** Validates a parsed document against a schema; throws DocumentError naming every problem. */
export function validateDocument<S extends z.ZodType>(schema: S, data: unknown, parsed: ParsedDoc | undefined, file: string): z.output<S> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new DocumentError(file, formatIssues(result.error.issues, parsed));
}
