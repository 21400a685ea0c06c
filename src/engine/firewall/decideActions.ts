// Decides actions (docs/policy.md): a command by its patterns and by the paths it touches, an MCP call
// by its tools rule and its path arguments, a native read/write/delete by the path rules, a fetch by
// the fetch rules and the network laws, a sub-agent by `subagents:`. Deny beats allow across every
// action of one call; an ask anywhere asks. A denial says why and which rule would allow it.
import { randomUUID } from 'node:crypto';
import { networkFor } from '../../shared/containPolicy.js';
import type { Decision, Segment, ToolCall, Verdict } from '../../shared/firewall.js';
import { describeAction, mcpPathActions, type Action } from './actions.js';
import { alwaysRulesOf } from './alwaysRule.js';
import { redirectionPaths, touchedBy, type PathsOfCommand, type TouchedPaths } from './commandPaths.js';
import { evaluateTool, judgeCommand, missVerdict, type EvaluateOptions } from './evaluate.js';
import { programEffects } from './programEffects.js';
import { judgeFetch } from './fetchRules.js';
import { UNRESOLVED, defaultPathContext, judgePath, normalisePath, type PathAccess, type PathContext } from './pathRules.js';
import type { FetchRules, PolicyMode } from './policySchema.js';
import { rulesFor, type Policy } from './policyLoader.js';

export interface ActionOptions extends EvaluateOptions {
  cwd?: string | null;
  /** Where the agent is (home, cwd, gatehouse's own files); default: this process's home and `cwd`. */
  paths?: PathContext;
  /** Which paths a command touches; default: what the program entries (programs.ts) say. */
  pathsOf?: PathsOfCommand;
}

const STRENGTH: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };
const NOT_PATHS = new Set(['-', '/dev/null', '/dev/stdin', '/dev/stdout', '/dev/stderr', '/dev/tty', '']);

function contextOf(opts: ActionOptions): PathContext {
  return opts.paths ?? defaultPathContext(opts.cwd ?? null);
}

/** The narrowest path rule that would allow this access (for the operator), or why none can. */
function pathHint(raw: string, access: PathAccess, ctx: PathContext, builtIn: boolean): string {
  if (builtIn) return 'gatehouse protects its own files; no policy rule can allow this';
  const p = normalisePath(raw, ctx);
  // A variable or words read from input: no rule can name what it will be.
  if (p === null && /[$`]/.test(raw)) return 'the path is known only when the command runs; name it in the command to have it judged';
  return `to allow it, add to the policy: paths: - { path: ${JSON.stringify(p ?? raw)}, ${access}: allow }`;
}

interface PathJudgement {
  /** The segment (simple command) that touches the path, when it came from a command. */
  segmentIndex?: number;
  verdict: Verdict | null;
  segment: Segment;
  reason: string;
  rule: string | null;
  hint: string;
}

function judgeAccess(policy: Policy, raw: string, access: PathAccess, ctx: PathContext, recursive: boolean, what: string): PathJudgement {
  // Deleting a directory deletes what is under it: a delete is judged as recursive.
  const v = judgePath(policy, raw, access, ctx, recursive || access === 'delete');
  const shown = v?.path ?? normalisePath(raw, ctx) ?? raw;
  if (!v) return { verdict: null, rule: null, reason: `${what} ${access}s ${shown}: no paths rule names it`, hint: pathHint(raw, access, ctx, false), segment: { argv: [access, shown], matched_rule: null, verdict: 'ask', note: 'no paths rule names it' } };
  const reason = `${what} ${access}s ${shown}: ${v.rule}`;
  return { verdict: v.verdict, rule: v.rule, reason, hint: v.verdict === 'allow' ? '' : pathHint(raw, access, ctx, v.builtIn), segment: { argv: [access, shown], matched_rule: v.rule, verdict: v.verdict, note: v.rule } };
}

/**
 * Adds path judgements to a decision made on other grounds: a deny denies, an ask turns an allow into
 * an ask. A path that cannot be resolved is a miss like any other, so under `allowlist` or `deny`
 * (law 6) it denies instead of asking.
 */
function withPaths(base: Decision, paths: PathJudgement[], mode: PolicyMode = 'ask'): Decision {
  if (!paths.length) return base;
  if (mode !== 'ask') paths = paths.map((p) => (p.verdict === 'ask' && p.rule === UNRESOLVED ? { ...p, verdict: 'deny' } : p));
  // Segments stay one per simple command (the contract of §7); what the paths got is beside them.
  const seen = paths.map((p) => p.segment);
  const worst = paths.reduce<PathJudgement | null>((w, p) => (p.verdict && p.verdict !== 'allow' && (!w || STRENGTH[p.verdict] > STRENGTH[w.verdict!]) ? p : w), null);
  // The command that touches a denied (or asked) path carries that verdict itself.
  const segments = base.segments.map((s) => ({ ...s }));
  for (const p of paths) {
    const seg = p.segmentIndex !== undefined ? segments[p.segmentIndex] : undefined;
    if (seg && p.verdict && p.verdict !== 'allow' && STRENGTH[p.verdict] > STRENGTH[seg.verdict]) Object.assign(seg, { verdict: p.verdict, matched_rule: p.rule, note: p.reason });
  }
  if (base.decision === 'deny' || !worst) return { ...base, segments, paths: seen };
  if (worst.verdict === 'deny') return { ...base, decision: 'deny', rule: worst.rule, reason: `${worst.reason} (${worst.hint})`, segments, paths: seen };
  if (base.decision === 'allow') return { ...base, decision: 'ask', rule: worst.rule, reason: `${worst.reason}; ${base.reason}`, segments, paths: seen };
  return { ...base, segments, paths: seen };
}

const DISARM = new Set(['stop', 'resolve', 'reload', 'setup', 'trust', 'approve', 'init', 'lockdown']);
/** The reserved tool name the MCP proxy decides a resources/read as (src/engine/proxy/gatedRequests.ts). */
const RESOURCE_READ = 'resources/read';
const URL_PROGRAMS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'aria2c', 'lynx', 'links', 'w3m']);

/** Law 10: commands that disarm gatehouse or answer for it (any spelling: npx, a path, pkill by name). */
function disarmsGuard(argv: readonly string[]): string | null {
  const name = argv[0] ? argv[0].slice(argv[0].lastIndexOf('/') + 1) : '';
  const g = argv.findIndex((w) => w === 'gatehouse' || w.endsWith('/gatehouse') || w.endsWith('/gatehouse.js'));
  if (g >= 0 && argv.slice(g + 1).some((w) => DISARM.has(w))) return 'disarms or answers for gatehouse';
  if (['kill', 'pkill', 'killall', 'systemctl', 'service'].includes(name) && argv.some((w) => w.includes('gatehouse'))) return 'stops gatehouse';
  return null;
}

const fetchRulesFor = new WeakMap<Policy, Map<string, FetchRules>>();

/** The fetch rules a command's URLs are judged by: fetch: plus the agent's network: allow (built once per policy and agent). */
function commandFetchRules(policy: Policy, agent: string | null | undefined): FetchRules {
  let byAgent = fetchRulesFor.get(policy);
  if (!byAgent) fetchRulesFor.set(policy, (byAgent = new Map()));
  const key = agent ?? '';
  let rules = byAgent.get(key);
  if (!rules) byAgent.set(key, (rules = { ...policy.file.fetch, allow: [...policy.file.fetch.allow, ...networkFor(policy.file, agent).allow], default: undefined }));
  return rules;
}

/**
 * A URL a download program is given that the network laws deny (internal addresses, fetch.deny). A
 * command's connections are the agent's `network:` (what the egress proxy enforces), so an address
 * named exactly there is named for the command too; the proxy still judges the connection itself.
 */
function urlLawBreak(policy: Policy, argv: readonly string[], agent: string | null | undefined): PathJudgement | null {
  const name = argv[0] ? argv[0].slice(argv[0].lastIndexOf('/') + 1) : '';
  if (!URL_PROGRAMS.has(name)) return null;
  let rules: FetchRules | undefined;
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(w)) continue;
    rules ??= commandFetchRules(policy, agent);
    const f = judgeFetch(rules, w);
    if (f.verdict === 'deny') return { verdict: 'deny', rule: f.rule, reason: `\`${name}\` fetches ${w.slice(0, 120)}: ${f.note}`, hint: 'the network laws apply to commands as to fetches', segment: { argv: ['fetch', w.slice(0, 200)], matched_rule: f.rule, verdict: 'deny', note: f.note } };
  }
  return null;
}

/** A shell command: its patterns (laws 1-6) and every path its commands read, write or delete. */
export function evaluateExec(policy: Policy, command: string, opts: ActionOptions = {}): Decision {
  try {
    const j = judgeCommand(policy, command, opts);
    const ctx = contextOf(opts);
    const paths: PathJudgement[] = [];
    const seen = new Set<string>();
    const add = (t: TouchedPaths, what: string | (() => string), segmentIndex?: number) => {
      let label = typeof what === 'string' ? what : null;
      const each = (list: readonly string[], access: PathAccess) => {
        for (const p of list) {
          if (NOT_PATHS.has(p)) continue;
          const recursive = t.recursive.has(p);
          const key = `${access}\0${p}\0${recursive}`;
          if (seen.has(key)) continue;
          seen.add(key);
          label ??= (what as () => string)();
          const pj = judgeAccess(policy, p, access, ctx, recursive, label);
          if (segmentIndex !== undefined) pj.segmentIndex = segmentIndex;
          paths.push(pj);
        }
      };
      // Most commands touch no path: nothing is built for them (not even the label).
      if (t.reads.length) each(t.reads, 'read');
      if (t.writes.length) each(t.writes, 'write');
      if (t.deletes.length) each(t.deletes, 'delete');
    };
    add(redirectionPaths(command), 'a redirection');
    const what = (argv: readonly string[]) => `\`${argv.slice(0, 6).join(' ').slice(0, 80)}\``;
    const formsSeen = new Set<string>();
    j.judged.forEach((judged, index) => {
      const { cmd } = judged;
      if (opts.pathsOf) {
        for (const argv of [cmd.argv, ...cmd.denyForms]) {
          if (!argv.length) continue;
          const key = argv.join('\0');
          if (formsSeen.has(key)) continue;
          formsSeen.add(key);
          add(opts.pathsOf({ argv, text: cmd.origin.text }), what(argv), index);
        }
        return;
      }
      // The program's entry read the unwrapped argv already; a command left as written (awk's inline program,
      // a wrapper with options) is read here. Outer forms are wrappers (sudo, timeout), which touch no path.
      if (!cmd.argv.length) return;
      add(touchedBy(cmd.program ?? programEffects(cmd.argv, cmd.dynamic)), () => what(cmd.argv), index);
    });
    for (const judged of j.judged) {
      for (const argv of [judged.cmd.argv, ...judged.cmd.denyForms]) {
        const guard = disarmsGuard(argv);
        if (guard) return { ...j.decision, decision: 'deny', rule: 'built-in: the guard guards itself', reason: `\`${argv.join(' ').slice(0, 80)}\` ${guard} (built in; no policy rule can allow it)` };
        const url = urlLawBreak(policy, argv, opts.agent);
        if (url) paths.push(url);
      }
    }
    const d = withPaths(j.decision, paths, j.mode);
    if (d.decision === 'deny' && d.source === 'policy' && d === j.decision && d.rule && !d.rule.startsWith('policy:')) {
      return { ...d, reason: `${d.reason} (the denylist beats every allow rule; the operator would have to remove or narrow the pattern ${JSON.stringify(d.rule)})` };
    }
    if (d.decision !== 'allow' && d.rule?.startsWith('policy:')) {
      const rules = alwaysRulesOf(j);
      const rule = rules?.length === 1 ? rules[0] : null;
      if (rule) return { ...d, reason: `${d.reason}; to allow it, add to the allowlist: ${JSON.stringify(rule)}` };
    }
    return d;
  } catch (err) {
    return { decision: 'deny', source: 'policy', rule: null, reason: `firewall error while judging the command: ${(err as Error).message}`, segments: [], request_id: opts.requestId ?? randomUUID() };
  }
}

/** An MCP call: its tools rule, and the path rules for every path its arguments name. */
export function evaluateMcp(policy: Policy, call: ToolCall, opts: ActionOptions = {}): Decision {
  const base = evaluateTool(policy, call, opts);
  try {
    const ctx = contextOf(opts);
    const paths = mcpPathActions(call).map((a) => judgeAccess(policy, (a as { path: string }).path, a.kind as PathAccess, ctx, false, `tool ${call.server}/${call.tool}`));
    for (const [k, v] of Object.entries(call.args)) {
      if (typeof v !== 'string' || !/^(url|uri|href|endpoint)$/i.test(k)) continue;
      // A resources/read names one of the server's own resources: any scheme is its identifier, governed by
      // the tools rule on its `uri` (and a file:// by the path rules); only a web URL there is a fetch.
      if (call.tool === RESOURCE_READ && !/^https?:/i.test(v)) continue;
      const f = judgeFetch({ ...policy.file.fetch, default: undefined }, v);
      if (f.verdict === 'deny') paths.push({ verdict: 'deny', rule: f.rule, reason: `tool ${call.server}/${call.tool} fetches ${v.slice(0, 120)}: ${f.note}`, hint: 'the network laws apply to tools as to fetches', segment: { argv: ['fetch', v.slice(0, 200)], matched_rule: f.rule, verdict: 'deny', note: f.note } });
    }
    return withPaths(base, paths);
  } catch (err) {
    return { ...base, decision: 'deny', reason: `firewall error while judging the tool's paths: ${(err as Error).message}` };
  }
}

function decision(verdict: Verdict, rule: string | null, reason: string, segments: Segment[], opts: ActionOptions): Decision {
  return { decision: verdict, source: 'policy', rule, reason, segments, request_id: opts.requestId ?? randomUUID() };
}

/** One action of any kind. Never throws: an evaluator error is a deny. */
export function evaluateAction(policy: Policy, action: Action, opts: ActionOptions = {}): Decision {
  try {
    const mode = rulesFor(policy, opts.agent).mode;
    const miss = missVerdict(mode);
    switch (action.kind) {
      case 'exec':
        return evaluateExec(policy, action.command, opts);
      case 'mcp':
        return evaluateMcp(policy, action.call, opts);
      case 'read':
      case 'write':
      case 'delete': {
        const p = judgeAccess(policy, action.path, action.kind, contextOf(opts), action.recursive === true, 'the tool');
        if (p.verdict === null) return decision(miss, `policy: ${mode}`, `${p.reason} (policy: ${mode}; ${p.hint})`, [{ ...p.segment, verdict: miss }], opts);
        return decision(p.verdict, p.rule, p.verdict === 'allow' ? p.reason : `${p.reason} (${p.hint})`, [p.segment], opts);
      }
      case 'fetch': {
        if ('query' in action) {
          const v = policy.file.fetch.search ?? miss;
          const rule = policy.file.fetch.search ? `fetch.search: ${v}` : `policy: ${mode}`;
          return decision(v, rule, `web search: ${rule}`, [{ argv: ['search', action.query.slice(0, 200)], matched_rule: rule, verdict: v }], opts);
        }
        const f = judgeFetch(policy.file.fetch, action.url);
        const v = f.verdict ?? miss;
        const rule = f.verdict ? f.rule : `policy: ${mode}`;
        let url = action.url;
        try {
          url = new URL(action.url).host;
        } catch {
          /* shown as given */
        }
        const hint = v === 'allow' ? '' : f.rule.startsWith('network law') ? `; to allow it, name the address exactly: fetch: { allow: [${JSON.stringify(url)}] }` : f.verdict === 'deny' ? '' : `; to allow it, add to the policy: fetch: { allow: [${JSON.stringify(url)}] }`;
        return decision(v, rule, `fetch ${action.url.slice(0, 200)}: ${f.note}${hint}`, [{ argv: ['fetch', action.url.slice(0, 200)], matched_rule: rule, verdict: v, note: f.note }], opts);
      }
      case 'agent': {
        const v = policy.file.subagents ?? miss;
        const rule = policy.file.subagents ? `subagents: ${v}` : `policy: ${mode}`;
        return decision(v, rule, `sub-agent ${JSON.stringify(action.description.slice(0, 120))}: ${rule}`, [{ argv: ['agent'], matched_rule: rule, verdict: v }], opts);
      }
    }
  } catch (err) {
    return decision('deny', null, `firewall error while judging ${describeAction(action)}: ${(err as Error).message}`, [], opts);
  }
}

/** Every action of one call: the strongest verdict wins (deny beats ask beats allow). */
export function evaluateActions(policy: Policy, actions: Action[], opts: ActionOptions = {}): Decision {
  const request_id = opts.requestId ?? randomUUID();
  if (!actions.length) return { decision: missVerdict(rulesFor(policy, opts.agent).mode), source: 'policy', rule: null, reason: 'the call names nothing to decide', segments: [], request_id };
  const ds = actions.map((a) => evaluateAction(policy, a, { ...opts, requestId: request_id }));
  let worst = ds[0]!;
  for (const d of ds) if (STRENGTH[d.decision] > STRENGTH[worst.decision]) worst = d;
  return { ...worst, segments: ds.flatMap((d) => d.segments), request_id };
}
