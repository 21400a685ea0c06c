// Loads policy YAML: validates it with the schema, compiles its patterns, and reports every problem with
// file, line, key path, the bad value and what is allowed. Never returns a half-valid policy.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { compilePattern, PatternError, type CompiledPattern } from './patterns.js';
import { PolicyFileSchema, type PolicyFile, type PolicyMode, type ToolRule } from './policySchema.js';
import { DEFAULT_POLICY_TEXT } from './defaultPolicy.js';

export interface RuleSet {
  mode: PolicyMode;
  allow: CompiledPattern[];
  deny: CompiledPattern[];
  tools: ToolRule[];
}

/** A validated, compiled policy: what the evaluator reads. */
export interface Policy {
  file: PolicyFile;
  askTtlMs: number;
  global: RuleSet;
  agents: Map<string, RuleSet>;
}

export interface LoadedPolicy {
  policy: Policy;
  text: string;
  sha256: string;
  /** Where the text came from: a path, or "(built-in default)". */
  source: string;
}

export interface PolicyIssue {
  line: number | null;
  col: number | null;
  path: string;
  message: string;
}

export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly issues: PolicyIssue[],
  ) {
    super(issues.map((i) => `${source}${i.line !== null ? `:${i.line}:${i.col}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'PolicyError';
  }
}

const ALLOWED_KEYS: Record<string, string[]> = {
  top: ['version', 'policy', 'ask_ttl', 'allowlist', 'denylist', 'tools', 'agents', 'paths', 'fetch', 'subagents', 'outputs', 'sandbox', 'network', 'tests'],
  agent: ['policy', 'allowlist', 'denylist', 'tools', 'sandbox', 'network', 'description'],
  sandbox: ['mode', 'write', 'deny_read'],
  network: ['default', 'allow', 'deny'],
  pattern: ['pattern', 'description'],
  tool: ['server', 'tool', 'args', 'annotations', 'decision', 'description'],
  test: ['name', 'command', 'tool', 'read', 'write', 'delete', 'fetch', 'cwd', 'agent', 'expect', 'decided_by'],
  path: ['path', 'read', 'write', 'delete', 'description'],
  fetch: ['default', 'allow', 'deny', 'search'],
  outputs: ['secrets', 'injection'],
  testTool: ['server', 'tool', 'args', 'annotations'],
  annotations: ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'],
};

function allowedKeysAt(path: PropertyKey[]): string[] | undefined {
  const p = path.map(String);
  const last = p[p.length - 1];
  if (p.length === 0) return ALLOWED_KEYS.top;
  if (last === 'annotations') return ALLOWED_KEYS.annotations;
  if (p[0] === 'agents' && p.length === 2) return ALLOWED_KEYS.agent;
  if (last === 'sandbox' || last === 'network') return ALLOWED_KEYS[last];
  if (p[0] === 'tests' && p.length === 2) return ALLOWED_KEYS.test;
  if (p[0] === 'paths' && p.length === 2) return ALLOWED_KEYS.path;
  if (p[0] === 'fetch' && p.length === 1) return ALLOWED_KEYS.fetch;
  if (p[0] === 'outputs' && p.length === 1) return ALLOWED_KEYS.outputs;
  if (p[0] === 'tests' && last === 'tool') return ALLOWED_KEYS.testTool;
  if (p[p.length - 2] === 'tools') return ALLOWED_KEYS.tool;
  if (p[p.length - 2] === 'allowlist' || p[p.length - 2] === 'denylist') return ALLOWED_KEYS.pattern;
  return undefined;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 79) + '…' : s;
}

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(path: readonly PropertyKey[], key?: string): { line: number | null; col: number | null } {
    let node: unknown = this.doc.getIn(path as unknown[], true);
    if (key !== undefined) {
      // An unknown key is reported at the key itself, found in its parent map.
      const parent = path.length > 1 ? this.doc.getIn(path.slice(0, -1) as unknown[], true) : this.doc.contents;
      if (isMap(parent)) node = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key)?.key ?? node;
    }
    // Walk up to the nearest node that exists (a missing key is reported at its parent).
    for (let n = path.length; (node === undefined || node === null) && n > 0; n--) node = this.doc.getIn(path.slice(0, n - 1) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range) return { line: null, col: null };
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, col: pos.col };
  }
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): { path: PropertyKey[]; message: string; key?: string }[] {
  const value = valueAt(data, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(issue.path);
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        key,
        message: `unknown key ${JSON.stringify(key)}${allowed ? `; allowed keys: ${allowed.join(', ')}` : ''}`,
      }));
    }
    case 'invalid_value':
      return [{ path: issue.path, message: `${value === undefined ? 'required' : `got ${show(value)}`}; allowed: ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}` }];
    case 'invalid_type':
      return [{ path: issue.path, message: value === undefined ? `required (${issue.expected})` : `expected ${issue.expected}, got ${show(value)}` }];
    case 'invalid_union': {
      // Report the branch that fits the value's shape: a string pattern or a {pattern, description} map.
      const branch = issue.errors.find((errs) => errs.some((e) => (typeof value === 'object' ? e.code !== 'invalid_type' || e.path.length > 0 : e.code !== 'invalid_type')));
      if (branch) return branch.flatMap((e) => describeIssue({ ...e, path: [...issue.path, ...e.path] } as z.core.$ZodIssue, data));
      return [{ path: issue.path, message: `expected a pattern string or {pattern, description}, got ${show(value)}` }];
    }
    default:
      return [{ path: issue.path, message: `${issue.message}${value !== undefined && typeof value !== 'object' ? `, got ${show(value)}` : ''}` }];
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parses and validates policy text. Throws PolicyError listing every problem found. */
export function parsePolicyText(text: string, source = 'policy.yaml'): LoadedPolicy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    throw new PolicyError(
      source,
      doc.errors.map((e) => ({ line: e.linePos?.[0].line ?? null, col: e.linePos?.[0].col ?? null, path: '', message: `YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` })),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 50 }) ?? {};
  const where = new Locator(doc, lines);
  const parsed = PolicyFileSchema.safeParse(data);
  if (!parsed.success) {
    throw new PolicyError(
      source,
      parsed.error.issues.flatMap((i) => describeIssue(i, data)).map((d) => ({ ...where.at(d.path, d.key), path: formatPath(d.path), message: d.message })),
    );
  }
  const file = parsed.data;
  const issues: PolicyIssue[] = [];
  const compileList = (entries: { pattern: string; description?: string }[], path: PropertyKey[], forAllow: boolean): CompiledPattern[] =>
    entries.flatMap((e, i) => {
      try {
        const c = compilePattern(e.pattern, e.description);
        if (forAllow && c.stages.length > 1) throw new PatternError(`pattern ${JSON.stringify(e.pattern)}: '|' patterns belong in the denylist (every command of a pipeline must be allowed on its own)`);
        return [c];
      } catch (err) {
        if (!(err instanceof PatternError)) throw err;
        issues.push({ ...where.at([...path, i]), path: formatPath([...path, i, 'pattern']), message: err.message });
        return [];
      }
    });
  const global: RuleSet = { mode: file.policy, allow: compileList(file.allowlist, ['allowlist'], true), deny: compileList(file.denylist, ['denylist'], false), tools: file.tools };
  const agents = new Map<string, RuleSet>();
  for (const [name, o] of Object.entries(file.agents)) {
    agents.set(name, {
      mode: o.policy ?? file.policy,
      // Agent lists add to the global ones; deny still beats allow.
      allow: [...global.allow, ...compileList(o.allowlist, ['agents', name, 'allowlist'], true)],
      deny: [...global.deny, ...compileList(o.denylist, ['agents', name, 'denylist'], false)],
      tools: [...global.tools, ...o.tools],
    });
  }
  if (issues.length) throw new PolicyError(source, issues);
  return { policy: { file, askTtlMs: file.ask_ttl, global, agents }, text, sha256: sha256(text), source };
}

/** The rules that apply to an agent: its override merged over the global lists, or the global ones. */
export function rulesFor(policy: Policy, agent?: string | null): RuleSet {
  return (agent && policy.agents.get(agent)) || policy.global;
}

/** `$GATEHOUSE_POLICY`, else `$XDG_CONFIG_HOME/gatehouse/policy.yaml`, else `~/.config/gatehouse/policy.yaml`. */
export function defaultPolicyPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATEHOUSE_POLICY) return env.GATEHOUSE_POLICY;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'gatehouse', 'policy.yaml');
}

/**
 * Reads the policy for offline use: an explicit path must exist; the default path ($GATEHOUSE_POLICY or
 * the XDG one) falls back to DEFAULT_POLICY_TEXT when absent, as the engine would create it. Creates nothing.
 */
export function readPolicyOffline(explicit?: string, env: NodeJS.ProcessEnv = process.env): LoadedPolicy {
  const path = explicit ?? defaultPolicyPath(env);
  if (!existsSync(path)) {
    if (explicit !== undefined) throw new PolicyError(path, [{ line: null, col: null, path: '', message: 'policy file not found' }]);
    return parsePolicyText(DEFAULT_POLICY_TEXT, '(built-in default policy)');
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(path, [{ line: null, col: null, path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parsePolicyText(text, path);
}
