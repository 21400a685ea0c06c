// The firewall's judgement (laws 1-6): every command of a line must match the allowlist, any denylist
// match denies the whole line, and what cannot be verified is a miss, asked or denied by the mode.
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { Decision, Segment, ToolCall, Verdict } from '../../shared/firewall.js';
import { effectiveCommands, type EffectiveCommand } from './commandView.js';
import { allowMatches, denyMatches, globWord, type CompiledPattern } from './patterns.js';
import { basename } from './commandView.js';
import { programEntry } from './programEffects.js';
import { rulesFor, type Policy, type RuleSet } from './policyLoader.js';
import { clip, CONTINUATION_IN_WORD, parseShell, type ParsedShell } from './shellParser.js';
import type { PolicyMode, ToolRule } from './policySchema.js';

export interface EvaluateOptions {
  agent?: string | null;
  requestId?: string;
}

/** One rule the evaluator tried, for `firewall explain`. */
export interface TraceStep {
  list: 'denylist' | 'allowlist';
  pattern: string;
  against: string[];
  matched: boolean;
}

export interface JudgedCommand {
  cmd: EffectiveCommand;
  verdict: 'allow' | 'deny' | 'miss';
  rule: string | null;
  note: string;
  trace: TraceStep[];
  /** The program entry and option that made it a miss (`sort -o`, `xargs`), or that ran it (`find -exec`). */
  decidedBy: string | null;
}

export interface CommandJudgement {
  decision: Decision;
  parsed: ParsedShell;
  judged: JudgedCommand[];
  mode: PolicyMode;
}

export function missVerdict(mode: PolicyMode): Verdict {
  return mode === 'ask' ? 'ask' : 'deny';
}

function showArgv(argv: string[]): string {
  return clip(argv.join(' '), 80);
}

interface Indexed {
  /** Single-stage deny patterns by the basename of a literal command word; glob-headed ones apart. */
  denyByName: Map<string, [number, CompiledPattern][]>;
  denyOther: [number, CompiledPattern][];
  /** Allow patterns by their command word exactly as written. */
  allowByHead: Map<string, [number, CompiledPattern][]>;
  allowOther: [number, CompiledPattern][];
  pipes: CompiledPattern[];
}

const indexes = new WeakMap<RuleSet, Indexed>();

function indexOf(rules: RuleSet): Indexed {
  let ix = indexes.get(rules);
  if (ix) return ix;
  ix = { denyByName: new Map(), denyOther: [], allowByHead: new Map(), allowOther: [], pipes: [] };
  const put = (m: Map<string, [number, CompiledPattern][]>, k: string, v: [number, CompiledPattern]) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  rules.deny.forEach((p, i) => {
    if (p.stages.length > 1) return void ix!.pipes.push(p);
    const head = p.stages[0]![0]!;
    if (head.kind === 'lit') put(ix!.denyByName, basename(head.text), [i, p]);
    else ix!.denyOther.push([i, p]);
  });
  rules.allow.forEach((p, i) => {
    const head = p.stages[0]![0]!;
    if (head.kind === 'lit') put(ix!.allowByHead, head.text, [i, p]);
    else ix!.allowOther.push([i, p]);
  });
  indexes.set(rules, ix);
  return ix;
}

/** The first pattern in policy order that matches, looking only at patterns whose command word can match. */
function firstMatch(lists: ([number, CompiledPattern][] | undefined)[], test: (p: CompiledPattern) => boolean, before = Infinity): [number, CompiledPattern] | null {
  let best: [number, CompiledPattern] | null = null;
  for (const list of lists) {
    if (!list) continue;
    for (const entry of list) {
      if (entry[0] >= (best ? best[0] : before)) break; // lists are in policy order
      if (test(entry[1])) {
        best = entry;
        break;
      }
    }
  }
  return best;
}

function judge(cmd: EffectiveCommand, rules: RuleSet, trace: boolean, parseErrors: string[]): JudgedCommand {
  if (trace) return judgeTraced(cmd, rules, parseErrors);
  const ix = indexOf(rules);
  let deny: [number, CompiledPattern] | null = null;
  for (const form of cmd.denyForms) {
    if (form.length === 0) continue;
    const hit = firstMatch([ix.denyByName.get(basename(form[0]!)), ix.denyOther], (p) => denyMatches(p.stages[0]!, form), deny ? deny[0] : Infinity);
    if (hit) deny = hit;
  }
  const by = ranBy(cmd);
  if (deny) return { cmd, verdict: 'deny', rule: deny[1].source, note: `matches denylist pattern ${JSON.stringify(deny[1].source)}`, trace: [], decidedBy: by };
  const blocked = parseErrors.length ? [...parseErrors, ...cmd.blocked] : cmd.blocked;
  if (blocked.length) return { cmd, verdict: 'miss', rule: null, note: blocked.join('; '), trace: [], decidedBy: cmd.program?.refusals.length ? cmd.program.program : by };
  if (cmd.assignmentOnly) return { cmd, verdict: 'allow', rule: '(safe assignment)', note: 'only sets a locale/colour variable', trace: [], decidedBy: null };
  const candidates = cmd.argv.length ? [ix.allowByHead.get(cmd.argv[0]!), ix.allowOther] : [];
  const allow = cmd.argv.length ? firstMatch(candidates, (p) => allowMatches(p.stages[0]!, cmd.argv, cmd.dynamic, cmd.guards)) : null;
  if (allow) return { cmd, verdict: 'allow', rule: allow[1].source, note: `matches allowlist pattern ${JSON.stringify(allow[1].source)}`, trace: [], decidedBy: by };
  return guardedMiss(cmd, cmd.guards.length ? firstMatch(candidates, (p) => allowMatches(p.stages[0]!, cmd.argv, cmd.dynamic))?.[1] ?? null : null, [], by);
}

/** The program that ran a nested command (`find -exec`, `xargs`), if any: the innermost unwrap step with an entry. */
function ranBy(cmd: EffectiveCommand): string | null {
  for (let i = cmd.via.length - 1; i >= 0; i--) if (programEntry(cmd.via[i]!.split(' ', 1)[0]!)) return cmd.via[i]!;
  return null;
}

/** A miss; when a pattern would match but for a guarded word, the note names the entry, the option and what it does. */
function guardedMiss(cmd: EffectiveCommand, wouldMatch: CompiledPattern | null, trace: TraceStep[], by: string | null): JudgedCommand {
  if (!wouldMatch) return { cmd, verdict: 'miss', rule: null, note: 'matches no allowlist pattern', trace, decidedBy: by };
  const g = cmd.guards.find((x) => !allowMatches(wouldMatch.stages[0]!, cmd.argv, cmd.dynamic, [x])) ?? cmd.guards[0]!;
  const word = JSON.stringify(cmd.argv[g.index] ?? '');
  const what = g.kind === 'option' ? 'an option that runs or writes' : g.effect === 'exec' ? 'a word that runs code' : 'a path it writes or deletes';
  const note = `${g.what}: ${word} ${g.why}; pattern ${JSON.stringify(wouldMatch.source)} does not name it (\`*\` never reaches ${what})`;
  return { cmd, verdict: 'miss', rule: null, note, trace, decidedBy: g.what };
}

/** The same judgement, trying every rule in order and recording each try (for `firewall explain`). */
function judgeTraced(cmd: EffectiveCommand, rules: RuleSet, parseErrors: string[]): JudgedCommand {
  const steps: TraceStep[] = [];
  for (const p of rules.deny) {
    if (p.stages.length > 1) continue;
    for (const form of cmd.denyForms) {
      const matched = denyMatches(p.stages[0]!, form);
      steps.push({ list: 'denylist', pattern: p.source, against: form, matched });
      if (matched) return { cmd, verdict: 'deny', rule: p.source, note: `matches denylist pattern ${JSON.stringify(p.source)}`, trace: steps, decidedBy: ranBy(cmd) };
    }
  }
  const by = ranBy(cmd);
  const blocked = [...parseErrors, ...cmd.blocked];
  if (blocked.length) return { cmd, verdict: 'miss', rule: null, note: blocked.join('; '), trace: steps, decidedBy: cmd.program?.refusals.length ? cmd.program.program : by };
  if (cmd.assignmentOnly) return { cmd, verdict: 'allow', rule: '(safe assignment)', note: 'only sets a locale/colour variable', trace: steps, decidedBy: null };
  let wouldMatch: CompiledPattern | null = null;
  for (const p of rules.allow) {
    const matched = allowMatches(p.stages[0]!, cmd.argv, cmd.dynamic, cmd.guards);
    steps.push({ list: 'allowlist', pattern: p.source, against: cmd.argv, matched });
    if (matched) return { cmd, verdict: 'allow', rule: p.source, note: `matches allowlist pattern ${JSON.stringify(p.source)}`, trace: steps, decidedBy: by };
    if (!wouldMatch && cmd.guards.length && allowMatches(p.stages[0]!, cmd.argv, cmd.dynamic)) wouldMatch = p;
  }
  return guardedMiss(cmd, wouldMatch, steps, by);
}

/** Pipe patterns (`curl * | sh`): stages matched by commands of one pipeline, in order. */
function pipeDeny(judged: JudgedCommand[], multi: CompiledPattern[], trace: boolean): void {
  if (!multi.length || judged.length < 2) return;
  const groups = new Map<string, JudgedCommand[]>();
  for (const j of judged) {
    const g = groups.get(j.cmd.pipeline);
    if (g) g.push(j);
    else groups.set(j.cmd.pipeline, [j]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const p of multi) {
      let stage = 0;
      let last: JudgedCommand | null = null;
      for (const j of group) {
        if (stage < p.stages.length && j.cmd.pipeForms.some((f) => denyMatches(p.stages[stage]!, f))) {
          stage++;
          last = j;
        }
      }
      if (stage === p.stages.length && last) {
        if (trace) last.trace.push({ list: 'denylist', pattern: p.source, against: last.cmd.argv, matched: true });
        if (last.verdict !== 'deny') Object.assign(last, { verdict: 'deny', rule: p.source, note: `pipeline matches denylist pattern ${JSON.stringify(p.source)}` });
      }
    }
  }
}

interface Analysis {
  parsed: ParsedShell;
  commands: EffectiveCommand[];
}

// Parsing and unwrapping depend on the text alone, and agents repeat commands: keep the last few
// hundred analyses (never mutated after creation). Matching against the policy always runs afresh.
const analyses = new Map<string, Analysis>();
let analysisCacheSize = 512;
const CACHEABLE_LENGTH = 4096;

/** Sets how many parsed commands are kept (0 turns the cache off; benchmarks measure both). */
export function setAnalysisCacheSize(n: number): void {
  analysisCacheSize = Math.max(0, Math.floor(n));
  analyses.clear();
}

function analyse(command: string): Analysis {
  const hit = analysisCacheSize > 0 ? analyses.get(command) : undefined;
  if (hit) {
    analyses.delete(command);
    analyses.set(command, hit);
    return hit;
  }
  const parsed = parseShell(command);
  const commands: EffectiveCommand[] = [];
  for (const seg of parsed.segments) for (const c of effectiveCommands(seg)) commands.push(c);
  if (parsed.errors.includes(CONTINUATION_IN_WORD)) {
    // Also judge the words as bash joins them, for the denylist only: `r\<newline>m -rf /` is rm.
    const joined = parseShell(command.replace(/\\\r?\n/g, ''));
    for (const seg of joined.segments) for (const c of effectiveCommands(seg)) commands.push({ ...c, blocked: [...c.blocked, CONTINUATION_IN_WORD] });
  }
  const a = { parsed, commands };
  if (analysisCacheSize > 0 && command.length <= CACHEABLE_LENGTH) {
    if (analyses.size >= analysisCacheSize) analyses.delete(analyses.keys().next().value!);
    analyses.set(command, a);
  }
  return a;
}

function segmentNote(j: JudgedCommand, offMode: boolean): string {
  const note = j.cmd.via.length ? `${j.note} (via ${j.cmd.via.join(' → ')})` : j.note;
  return offMode && j.verdict !== 'deny' ? `${note}; policy: deny denies every command` : note;
}

/** Judges a shell command line, keeping everything `firewall explain` shows. */
export function judgeCommand(policy: Policy, command: string, opts: EvaluateOptions & { trace?: boolean } = {}): CommandJudgement {
  const rules = rulesFor(policy, opts.agent);
  const { parsed, commands } = analyse(command);
  const judged: JudgedCommand[] = [];
  for (const cmd of commands) judged.push(judge(cmd, rules, opts.trace ?? false, parsed.errors));
  pipeDeny(judged, indexOf(rules).pipes, opts.trace ?? false);
  const miss = missVerdict(rules.mode);
  const request_id = opts.requestId ?? randomUUID();
  const denied = judged.find((j) => j.verdict === 'deny');
  const offMode = rules.mode === 'deny';
  const segments: Segment[] = judged.map((j) => ({
    argv: [...j.cmd.argv],
    matched_rule: offMode && j.verdict === 'allow' ? null : j.rule,
    verdict: offMode ? 'deny' : j.verdict === 'miss' ? miss : j.verdict,
    note: segmentNote(j, offMode),
  }));
  let decision: Decision;
  if (denied) {
    decision = { decision: 'deny', source: 'policy', rule: denied.rule, reason: `\`${showArgv(denied.cmd.argv)}\` ${denied.note}`, segments, request_id };
  } else if (parsed.fatal) {
    // Input the firewall cannot even read is denied in every mode: nobody can answer a prompt about it.
    decision = { decision: 'deny', source: 'policy', rule: null, reason: `${parsed.fatal}: denied whatever the mode`, segments, request_id };
  } else if (offMode) {
    decision = { decision: 'deny', source: 'policy', rule: 'policy: deny', reason: 'policy: deny denies every command (exec is off; the allowlist is kept but not used)', segments, request_id };
  } else if (judged.length === 0) {
    const why = parsed.errors.length ? parsed.errors.join('; ') : 'empty command: nothing to verify';
    decision = { decision: miss, source: 'policy', rule: `policy: ${rules.mode}`, reason: `${why} (policy: ${rules.mode})`, segments, request_id };
  } else {
    const missed = judged.find((j) => j.verdict === 'miss');
    if (missed) {
      const what = missed.cmd.argv.length ? `\`${showArgv(missed.cmd.argv)}\`` : `\`${clip(missed.cmd.origin.text)}\``;
      const runner = ranBy(missed.cmd);
      const via = runner ? ` (run by ${runner})` : '';
      decision = { decision: miss, source: 'policy', rule: `policy: ${rules.mode}`, reason: `${what}${via}: ${missed.note} (policy: ${rules.mode})`, segments, request_id };
    } else {
      const used = [...new Set(judged.map((j) => j.rule!))];
      decision = { decision: 'allow', source: 'policy', rule: used.join(' ; '), reason: `every command matches the allowlist (${used.map((u) => JSON.stringify(u)).join(', ')})`, segments, request_id };
    }
  }
  return { decision, parsed, judged, mode: rules.mode };
}

/** Decides a shell command line against the policy (laws 1-6). Never throws for any input text. */
export function evaluateCommand(policy: Policy, command: string, opts: EvaluateOptions = {}): Decision {
  try {
    return judgeCommand(policy, command, opts).decision;
  } catch (err) {
    // An evaluator bug is a deny, never an allow.
    const reason = `firewall error while judging the command: ${(err as Error).message}`;
    return { decision: 'deny', source: 'policy', rule: null, reason, segments: [], request_id: opts.requestId ?? randomUUID() };
  }
}

// ---- MCP tool calls ----

/** Argument glob: `**` spans directories, `*` stays within one path segment. */
function argGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

const globCache = new Map<string, RegExp>();
function argGlobCached(p: string): RegExp {
  let r = globCache.get(p);
  if (!r) {
    r = argGlob(p);
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(p, r);
  }
  return r;
}

function nameGlob(pattern: string, name: string): boolean {
  return globWord(pattern.split('*'), name);
}

/** Allow reads an argument strictly (every element, normalised path, no `..`); deny generously (any element, raw or normalised). */
function argMatches(pattern: string | number | boolean, value: unknown, forDeny: boolean): boolean {
  const re = argGlobCached(String(pattern));
  const one = (v: unknown): boolean => {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return false;
    const s = String(v);
    const norm = s.startsWith('/') ? posix.normalize(s) : s;
    if (forDeny) return re.test(s) || re.test(norm);
    if (norm.split('/').includes('..')) return false;
    return re.test(norm);
  };
  if (Array.isArray(value)) return value.length > 0 && (forDeny ? value.some(one) : value.every(one));
  return one(value);
}

function toolRuleMatches(rule: ToolRule, call: ToolCall): boolean {
  if (!nameGlob(rule.server, call.server) || !nameGlob(rule.tool, call.tool)) return false;
  for (const [k, pat] of Object.entries(rule.args ?? {})) {
    if (!(k in call.args) || !argMatches(pat, call.args[k], rule.decision === 'deny')) return false;
  }
  for (const [k, want] of Object.entries(rule.annotations ?? {})) {
    if (call.annotations?.[k as keyof NonNullable<ToolCall['annotations']>] !== want) return false;
  }
  return true;
}

/** How a tools rule reads in decisions, prompts and the ledger. */
export function describeToolRule(r: ToolRule): string {
  const args = r.args ? ` args ${JSON.stringify(r.args)}` : '';
  const ann = r.annotations ? ` annotations ${JSON.stringify(r.annotations)}` : '';
  return `tools: ${r.server}/${r.tool}${args}${ann} → ${r.decision}`;
}

/** Decides an MCP tool call: deny rules beat ask and allow; no matching rule is a miss (law 6). */
export function evaluateTool(policy: Policy, call: ToolCall, opts: EvaluateOptions = {}): Decision {
  const rules = rulesFor(policy, opts.agent);
  const matching = rules.tools.filter((r) => toolRuleMatches(r, call));
  const pick = matching.find((r) => r.decision === 'deny') ?? matching.find((r) => r.decision === 'ask') ?? matching.find((r) => r.decision === 'allow');
  const name = `${call.server}/${call.tool}`;
  const request_id = opts.requestId ?? randomUUID();
  if (!pick) {
    const v = missVerdict(rules.mode);
    return {
      decision: v,
      source: 'policy',
      rule: `policy: ${rules.mode}`,
      reason: `tool ${name} matches no tools rule (policy: ${rules.mode})`,
      segments: [{ argv: [call.server, call.tool], matched_rule: null, verdict: v, note: 'matches no tools rule' }],
      request_id,
    };
  }
  const rule = describeToolRule(pick);
  return {
    decision: pick.decision,
    source: 'policy',
    rule,
    reason: `tool ${name} matches ${rule}`,
    segments: [{ argv: [call.server, call.tool], matched_rule: rule, verdict: pick.decision, note: pick.description ?? `matches ${rule}` }],
    request_id,
  };
}
