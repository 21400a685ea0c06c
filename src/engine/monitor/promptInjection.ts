// Prompt-injection patterns in text an agent is about to read (tool results, fetched pages, files).
// Heuristic by nature: each pattern is a phrase attackers use to take over a model's instructions.
// Shared with the host audit, so it stays pure: text in, findings out.

export interface InjectionFinding {
  pattern: string;
  excerpt: string;
}

interface Pattern {
  name: string;
  re: RegExp;
}

const PATTERNS: Pattern[] = [
  { name: 'ignore_previous_instructions', re: /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|preceding|system)\s+(?:instructions?|prompts?|rules|directions|context)/i },
  { name: 'new_instructions', re: /\b(?:new|updated|real|actual)\s+instructions?\s*(?:are|follow|:)/i },
  { name: 'role_override', re: /\byou\s+are\s+now\s+(?:a|an|in|the|DAN)\b|\bact\s+as\s+(?:an?\s+)?(?:unrestricted|jailbroken|developer\s+mode)/i },
  { name: 'fake_system_tag', re: /<\/?(?:system|im_start|im_end|assistant|instructions?)>|\[\/?(?:INST|SYSTEM)\]|<\|(?:im_start|system|endoftext)\|>/i },
  { name: 'important_tag', re: /<(?:IMPORTANT|CRITICAL|SECRET|HIDDEN)>/ },
  { name: 'conceal_from_user', re: /\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention\s+(?:this\s+)?to|show|reveal\s+(?:this\s+)?to|alert)\s+(?:the\s+)?user\b/i },
  { name: 'exfiltrate_secrets', re: /\b(?:send|post|upload|exfiltrate|forward|leak|email)\b[^.\n]{0,60}\b(?:api[\s_-]?keys?|passwords?|credentials|secrets?|tokens?|private\s+keys?|ssh\s+keys?|\.env)\b/i },
  { name: 'read_credentials', re: /\b(?:read|cat|open|print|include)\b[^.\n]{0,40}(?:~\/\.ssh|id_rsa|id_ed25519|~\/\.aws|\.aws\/credentials|\.netrc|\.env\b)/i },
  { name: 'tool_hijack', re: /\b(?:before|instead\s+of)\s+(?:using|calling|answering)[^.\n]{0,40}\b(?:you\s+must|always)\s+(?:call|use|run|invoke)\b/i },
  { name: 'system_prompt_leak', re: /\b(?:reveal|print|repeat|output)\s+(?:your\s+|the\s+)?(?:system\s+prompt|initial\s+instructions|hidden\s+instructions)/i },
];

const EXCERPT_CONTEXT = 40;

function excerptAround(text: string, index: number, length: number): string {
  const from = Math.max(0, index - EXCERPT_CONTEXT);
  const to = Math.min(text.length, index + length + EXCERPT_CONTEXT);
  const body = text.slice(from, to).replace(/\s+/g, ' ').trim();
  return `${from > 0 ? '…' : ''}${body}${to < text.length ? '…' : ''}`;
}

/** Every pattern that matches, once each, with a short excerpt around the first match. */
export function findPromptInjection(text: string): InjectionFinding[] {
  const out: InjectionFinding[] = [];
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (m) out.push({ pattern: p.name, excerpt: excerptAround(text, m.index, m[0].length) });
  }
  return out;
}

export const INJECTION_PLACEHOLDER = '[removed by gatehouse: suspected prompt injection]';

/** The text with every match of every pattern replaced by a visible placeholder. */
export function redactPromptInjection(text: string): string {
  let out = text;
  for (const p of PATTERNS) out = out.replace(new RegExp(p.re.source, p.re.flags.includes('g') ? p.re.flags : `${p.re.flags}g`), INJECTION_PLACEHOLDER);
  return out;
}
