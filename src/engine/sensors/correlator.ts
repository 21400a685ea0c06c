// Runs the correlation rules over attributed events: each agent's partial sequences advance step by
// step within their window; a finished rule becomes an alert naming the agent, the pids and the
// evidence. Unattributed events are counted by the caller, never correlated here. Memory is bounded:
// a few partial sequences per agent and rule, and one alert per rule, agent and subject per window.
import type { AlertInput } from '../../shared/alert.js';
import { isLoopback, type AttributedEvent } from './sensorEvent.js';
import { compileGlob, type SensorRule, type SensorRules, type SensorStep } from './sensorRules.js';

const MAX_PARTIALS = 16;
const MAX_EVIDENCE_ARGV = 12;

interface CompiledStep {
  step: SensorStep;
  path: ((p: string) => boolean) | null;
}

interface CompiledRule {
  rule: SensorRule;
  steps: CompiledStep[];
}

interface Partial {
  next: number;
  started: number;
  events: AttributedEvent[];
  captures: Map<string, string>;
}

export interface CorrelatorOptions {
  /** The program of an agent's own process (its registered pid), for `agent_program_not`. */
  agentProgram: (agent: string) => string | null;
}

export class Correlator {
  private readonly rules: CompiledRule[];
  /** agent → rule id → partial sequences. */
  private readonly partials = new Map<string, Map<string, Partial[]>>();
  /** rule|agent|subject → when it last alerted. */
  private readonly alerted = new Map<string, number>();

  constructor(
    rules: SensorRules,
    private readonly opts: CorrelatorOptions,
  ) {
    this.rules = rules.rules.map((rule) => ({
      rule,
      steps: rule.steps.map((step) => {
        if (!step.path) return { step, path: null };
        const globs = step.path.flatMap((p) => (p.startsWith('@') ? rules.paths[p.slice(1)]! : [p])).map(compileGlob);
        return { step, path: (p: string) => globs.some((g) => g(p)) };
      }),
    }));
  }

  /** Feeds one event; returns the alerts it completes. */
  observe(e: AttributedEvent): AlertInput[] {
    if (!e.agent) return [];
    const out: AlertInput[] = [];
    let byRule = this.partials.get(e.agent);
    if (!byRule) this.partials.set(e.agent, (byRule = new Map()));
    for (const cr of this.rules) {
      const windowMs = cr.rule.within_s * 1000;
      let list = (byRule.get(cr.rule.id) ?? []).filter((p) => e.at - p.started <= windowMs);
      const advanced: Partial[] = [];
      for (const p of list) {
        const captures = this.match(cr.steps[p.next]!, e, p.captures);
        if (!captures) continue;
        const q: Partial = { next: p.next + 1, started: p.started, events: [...p.events, e], captures };
        if (q.next === cr.steps.length) {
          const a = this.alert(cr.rule, q.events, e.at);
          if (a) out.push(a);
        } else advanced.push(q);
      }
      const first = this.match(cr.steps[0]!, e, new Map());
      if (first) {
        const q: Partial = { next: 1, started: e.at, events: [e], captures: first };
        if (cr.steps.length === 1) {
          const a = this.alert(cr.rule, q.events, e.at);
          if (a) out.push(a);
        } else advanced.push(q);
      }
      // A step that advanced keeps its earlier partial too: a later event may complete it differently.
      list = [...list, ...advanced].slice(-MAX_PARTIALS);
      if (list.length) byRule.set(cr.rule.id, list);
      else byRule.delete(cr.rule.id);
    }
    return out;
  }

  /** Forgets an agent's partial sequences (it deregistered). */
  forget(agent: string): void {
    this.partials.delete(agent);
  }

  private match(cs: CompiledStep, e: AttributedEvent, captures: Map<string, string>): Map<string, string> | null {
    const s = cs.step;
    if (s.event !== e.kind) return null;
    if (s.program && !s.program.includes(e.program)) return null;
    if (s.program_not?.includes(e.program)) return null;
    if (s.agent_program_not) {
      const ap = this.opts.agentProgram(e.agent!);
      if (ap === null || s.agent_program_not.includes(ap)) return null;
    }
    if (cs.path && (!e.path || !cs.path(e.path))) return null;
    if (s.write !== undefined && (e.write ?? false) !== s.write) return null;
    if (s.args_any && !e.argv.slice(1).some((a) => s.args_any!.includes(a))) return null;
    if (s.remote && (!e.dest || isLoopback(e.dest.address))) return null;
    if (s.runs_captured) {
      const want = captures.get(s.runs_captured);
      if (!want) return null;
      const base = want.slice(want.lastIndexOf('/') + 1);
      const ran = [e.path ?? '', e.argv[0] ?? ''];
      if (!ran.some((r) => r === want || r.endsWith(`/${base}`) || r === base)) return null;
    }
    if (!s.capture) return captures;
    const value = s.capture.from === 'path' ? e.path : e.argv.at(-1);
    if (!value) return null;
    return new Map(captures).set(s.capture.name, value);
  }

  private alert(rule: SensorRule, events: AttributedEvent[], now: number): AlertInput | null {
    const agent = events[0]!.agent!;
    const pathEv = events.find((x) => x.path && x.kind === 'open') ?? events.find((x) => x.path);
    const destEv = events.find((x) => x.dest);
    const subject = `${pathEv?.path ?? ''}|${destEv ? `${destEv.dest!.address}:${destEv.dest!.port}` : ''}|${events.at(-1)!.program}`;
    const key = `${rule.id}|${agent}|${subject}`;
    const last = this.alerted.get(key);
    if (last !== undefined && now - last < rule.within_s * 1000) return null;
    if (this.alerted.size > 10_000) this.alerted.clear();
    this.alerted.set(key, now);
    const pids = [...new Set(events.map((x) => x.pid))];
    const fill: Record<string, string> = {
      agent,
      pids: pids.join(', '),
      path: pathEv?.path ?? '-',
      dest: destEv ? `${destEv.dest!.address}:${destEv.dest!.port}` : '-',
      program: events.at(-1)!.program,
    };
    return {
      severity: rule.severity,
      source: 'sensors',
      check: rule.id,
      message: rule.message.replace(/\{(agent|pids|path|dest|program)\}/g, (_m, k: string) => fill[k]!),
      ...(pathEv?.path ? { path: pathEv.path } : {}),
      ...(destEv ? { ip: destEv.dest!.address } : {}),
      evidence: {
        agent,
        pids,
        events: events.map((x) => ({
          kind: x.kind,
          at: new Date(x.at).toISOString(),
          pid: x.pid,
          ppid: x.ppid,
          program: x.program,
          ...(x.argv.length ? { argv: x.argv.slice(0, MAX_EVIDENCE_ARGV) } : {}),
          ...(x.path ? { path: x.path } : {}),
          ...(x.dest ? { dest: `${x.dest.address}:${x.dest.port}` } : {}),
          source: x.source,
          ref: x.ref,
        })),
      },
    };
  }
}
