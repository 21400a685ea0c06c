// `gatehouse firewall explain`: a readable trace of how a command was parsed and judged.
import type { CommandJudgement } from './evaluate.js';

const q = (argv: string[]): string => argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w))).join(' ');

export function formatExplain(command: string, j: CommandJudgement, header: string[] = []): string {
  const mode = j.mode === 'deny' ? 'every command is denied, whatever the allowlist (law 6)' : `a miss is ${j.mode === 'ask' ? 'asked' : 'denied'}`;
  const out: string[] = [...header, `command: ${JSON.stringify(command)}`, `mode: policy: ${j.mode} (${mode})`];
  if (j.parsed.fatal) out.push(`unreadable: ${j.parsed.fatal} → denied in every mode`);
  for (const e of j.parsed.errors) out.push(`parse problem: ${e} → nothing in this command can be allowed`);
  out.push(`parsed into ${j.parsed.segments.length} simple command${j.parsed.segments.length === 1 ? '' : 's'}:`);
  j.parsed.segments.forEach((s, i) => {
    const ctx = s.context ? ` [inside ${s.context}]` : '';
    out.push(`  ${i + 1}. ${s.argv.length ? q(s.argv) : `(no command) ${JSON.stringify(s.text)}`}  (pipeline #${s.pipeline})${ctx}`);
    for (const a of s.assignments) out.push(`       assignment ${a.name}=${a.value}${a.safe ? ' (safe list)' : ''}`);
    for (const d of s.dynamic.flatMap((dyn, k) => (dyn ? [s.argv[k]!] : []))) out.push(`       expands at run time: ${d}`);
    for (const u of s.unverifiable) out.push(`       cannot be verified: ${u}`);
  });
  out.push('judged:');
  for (const x of j.judged) {
    out.push(`  ${x.cmd.argv.length ? q(x.cmd.argv) : JSON.stringify(x.cmd.origin.text)}${x.cmd.via.length ? `   (unwrapped from ${x.cmd.via.join(' → ')})` : ''}`);
    const deny = x.trace.filter((t) => t.list === 'denylist');
    const hits = deny.filter((t) => t.matched);
    for (const t of hits) out.push(`     denylist ${JSON.stringify(t.pattern)} matches ${q(t.against)}`);
    if (!hits.length) out.push(`     denylist: ${new Set(deny.map((t) => t.pattern)).size} pattern(s) tried against ${x.cmd.denyForms.length} form(s), none matched`);
    const prog = x.cmd.program;
    if (prog) {
      out.push(`     program entry: ${prog.program} (${prog.about})`);
      for (const g of x.cmd.guards) out.push(`       ${g.what}: ${JSON.stringify(x.cmd.argv[g.index] ?? '')} ${g.why} → only a pattern word spelling ${g.literal ? JSON.stringify(g.literal) : 'it'} matches it, never a whole-word *`);
      for (const n of prog.nested) out.push(`       ${n.how} runs ${'argv' in n ? q(n.argv) : JSON.stringify(n.script)}: judged below as a command of its own`);
      for (const r of prog.refusals) out.push(`       ${r}`);
      if (prog.writes.length || prog.deletes.length || prog.reads.length) out.push(`       paths: ${[...prog.reads.map((p) => `reads ${p}`), ...prog.writes.map((p) => `writes ${p}`), ...prog.deletes.map((p) => `deletes ${p}`)].join(', ')}`);
    }
    for (const t of x.trace.filter((t) => t.list === 'allowlist')) out.push(`     allowlist ${JSON.stringify(t.pattern)}: ${t.matched ? 'matches' : 'no'}`);
    if (x.decidedBy) out.push(`     decided by: ${x.decidedBy}`);
    const verdict = j.mode === 'deny' && x.verdict !== 'deny' ? `${x.verdict} → deny (policy: deny)` : x.verdict === 'miss' ? `miss → ${j.mode === 'ask' ? 'ask' : 'deny'}` : x.verdict;
    out.push(`     → ${verdict}: ${x.note}`);
  }
  out.push(`decision: ${j.decision.decision} (rule: ${j.decision.rule ?? 'none'})`, `reason: ${j.decision.reason}`);
  return out.join('\n') + '\n';
}
