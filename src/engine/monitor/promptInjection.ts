// Prompt-injection patterns in text an agent is about to read (tool results, fetched pages, files).
// Heuristic by nature: each pattern is a phrase attackers use to take over a model's instructions.
// The phrase families follow the public collections of injection prompts (the deepset
// "prompt-injections" set, Lakera's Gandalf "ignore instructions" set, the OWASP LLM01 examples):
// override the earlier instructions, swap the model's role, fake a system turn, hide from the user,
// reach for secrets. Text is normalised first (NFKC folds full-width and compatibility letters;
// zero-width and bidi controls are removed) so spelling tricks do not hide a phrase.
// Shared with the host audit, so it stays pure: text in, findings out.

export interface InjectionFinding {
  pattern: string;
  excerpt: string;
}

interface Pattern {
  name: string;
  re: RegExp;
  /** Where the instruction the phrase introduces ends: the rest of its paragraph, or a closing tag. */
  span: 'paragraph' | 'tag' | 'match';
}

// Zero-width characters, soft hyphen, word joiners, BOM, and the bidi embedding/override/isolate controls.
const INVISIBLE = /[\u00AD\u034F\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** NFKC, invisible and bidi controls removed: the text the patterns are matched against. */
export function normalizeForInjection(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

const EARLIER = String.raw`(?:previous|prior|above|earlier|preceding|former|original|initial|system|foregoing)`;
const ORDERS = String.raw`(?:instructions?|prompts?|rules|directions|directives|guidelines|context|commands?|orders|messages?|text)`;
// "the system prompt cache", "previous prompt template": a technical noun after the phrase is not an order.
const NOT_TECHNICAL = String.raw`(?!\s+(?:cache|caching|file|files|template|templates|variable|setting|settings|config|configuration|field|token\s+count|length|tests?)\b)`;

const PATTERNS: Pattern[] = [
  {
    name: 'ignore_previous_instructions',
    re: new RegExp(String.raw`\b(?:ignore|disregard|forget|override|skip|neglect|drop)\s+(?:all\s+|any\s+|each\s+|of\s+|the\s+|your\s+|my\s+|these\s+|those\s+)*${EARLIER}\s+${ORDERS}${NOT_TECHNICAL}`, 'i'),
    span: 'paragraph',
  },
  {
    // "Ignore the above and instead…", "Disregard everything you were told before", "forget all that".
    name: 'ignore_everything_before',
    re: /\b(?:ignore|disregard|forget)\s+(?:(?:all|everything|anything)\s+(?:of\s+)?(?:the\s+)?(?:above|before|prior|previous|earlier)\b|(?:the\s+|all\s+(?:of\s+)?(?:the\s+)?)?above\b(?!\s+(?:example|table|figure|code|section|output|error|link)s?\b)|everything\s+(?:(?:you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|given|instructed))|(?:said|written|stated)|that\s+came)|all\s+(?:that|this)\b|what\s+(?:you\s+were|i)\s+(?:told|said)|your\s+(?:training|programming|guidelines|rules|instructions))/i,
    span: 'paragraph',
  },
  { name: 'new_instructions', re: /\b(?:new|updated|real|actual|revised|true|secret|hidden)\s+(?:instructions?|task|goal|objective|directive)s?\s*(?:are|is|follows?|:)/i, span: 'paragraph' },
  { name: 'from_now_on', re: /\bfrom\s+now\s+on,?\s+(?:you\s+(?:will|must|are|shall|should)|always|only|respond|answer|act)\b/i, span: 'paragraph' },
  {
    name: 'role_override',
    re: /\byou\s+are\s+(?:now|no\s+longer)\s+(?:a|an|in|the|my|DAN|free|unrestricted)\b|\bact\s+as\s+(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|evil|developer\s+mode)|\bpretend\s+(?:that\s+)?(?:you\s+are|to\s+be)\s+(?:an?\s+)?(?:unrestricted|unfiltered|evil|jailbroken|DAN|free|different)|\b(?:developer|god|jailbreak|DAN)\s+mode\s+(?:enabled|activated|on)\b|\bdo\s+anything\s+now\b/i,
    span: 'paragraph',
  },
  { name: 'fake_system_tag', re: /<\/?(?:system|im_start|im_end|assistant|instructions?)>|\[\/?(?:INST|SYSTEM)\]|<\|(?:im_start|system|endoftext)\|>|^\s*(?:#{1,3}\s*)?(?:system|assistant)\s*:\s*(?:ignore|you\s+(?:are|must)|new)/im, span: 'paragraph' },
  { name: 'important_tag', re: /<(IMPORTANT|CRITICAL|SECRET|HIDDEN)>/, span: 'tag' },
  { name: 'conceal_from_user', re: /\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention\s+(?:this\s+)?to|show|reveal\s+(?:this\s+)?to|alert|notify)\s+(?:the\s+)?(?:user|human|operator)\b/i, span: 'paragraph' },
  { name: 'exfiltrate_secrets', re: /\b(?:send|post|upload|exfiltrate|forward|leak|email|transmit)\b[^.\n]{0,60}\b(?:api[\s_-]?keys?|passwords?|credentials|secrets?|tokens?|private\s+keys?|ssh\s+keys?|\.env)\b/i, span: 'paragraph' },
  { name: 'read_credentials', re: /\b(?:read|cat|open|print|include)\b[^.\n]{0,40}(?:~\/\.ssh|id_rsa|id_ed25519|~\/\.aws|\.aws\/credentials|\.netrc|\.env\b)/i, span: 'paragraph' },
  { name: 'tool_hijack', re: /\b(?:before|instead\s+of)\s+(?:using|calling|answering)[^.\n]{0,40}\b(?:you\s+must|always)\s+(?:call|use|run|invoke)\b/i, span: 'paragraph' },
  { name: 'run_piped_script', re: /\b(?:run|execute|paste)\b[^.\n]{0,40}\b(?:curl|wget)\b[^\n]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/i, span: 'paragraph' },
  {
    name: 'system_prompt_leak',
    re: /\b(?:reveal|print|repeat|output|show|display|tell\s+me|spell\s+out|leak)\s+(?:me\s+)?(?:your\s+|the\s+|all\s+)*(?:system\s+prompt|initial\s+(?:instructions|prompt)|hidden\s+(?:instructions|prompt)|(?:words|text|instructions|prompt)\s+above)|\bwhat\s+(?:is|was|were)\s+(?:written|said)\s+above\b/i,
    span: 'paragraph',
  },
];

const EXCERPT_CONTEXT = 40;

function excerptAround(text: string, index: number, length: number): string {
  const from = Math.max(0, index - EXCERPT_CONTEXT);
  const to = Math.min(text.length, index + length + EXCERPT_CONTEXT);
  const body = text.slice(from, to).replace(/\s+/g, ' ').trim();
  return `${from > 0 ? '…' : ''}${body}${to < text.length ? '…' : ''}`;
}

/** Every pattern that matches (on the normalised text), once each, with a short excerpt around the first match. */
export function findPromptInjection(text: string): InjectionFinding[] {
  const norm = normalizeForInjection(text);
  const out: InjectionFinding[] = [];
  for (const p of PATTERNS) {
    const m = p.re.exec(norm);
    if (m) out.push({ pattern: p.name, excerpt: excerptAround(norm, m.index, m[0].length) });
  }
  return out;
}

export const INJECTION_PLACEHOLDER = '[removed by gatehouse: suspected prompt injection]';

/** Where the instruction starting at a match ends: its paragraph (up to a blank line), or its closing tag. */
function spanEnd(text: string, p: Pattern, m: RegExpExecArray): number {
  const after = m.index + m[0].length;
  if (p.span === 'match') return after;
  if (p.span === 'tag') {
    const close = text.indexOf(`</${m[1]}>`, after);
    return close < 0 ? text.length : close + m[1]!.length + 3;
  }
  const blank = /\n[ \t]*\n/g;
  blank.lastIndex = after;
  const b = blank.exec(text);
  return b ? b.index : text.length;
}

/**
 * The text (normalised) with each suspected instruction removed whole: from the phrase that
 * introduces it to the end of its paragraph (or its closing tag), so what it asked for ("run
 * `curl … | sh`") never reaches the model either.
 */
export function redactPromptInjection(text: string): string {
  const norm = normalizeForInjection(text);
  const spans: Array<[number, number]> = [];
  for (const p of PATTERNS) {
    const re = new RegExp(p.re.source, p.re.flags.includes('g') ? p.re.flags : `${p.re.flags}g`);
    for (const m of norm.matchAll(re)) spans.push([m.index, spanEnd(norm, p, m as RegExpExecArray)]);
  }
  if (!spans.length) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [from, to] of spans) {
    if (from < at) continue; // inside an instruction already removed (a phrase within a tagged block)
    out += `${norm.slice(at, from)}${INJECTION_PLACEHOLDER}`;
    at = to;
  }
  return out + norm.slice(at);
}
