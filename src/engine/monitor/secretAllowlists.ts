// Values a rule matched that are not secrets: placeholders, templates, references, typed
// sequences, common words and credentials published in vendors' documentation. Each list has a
// name, so a test (and a person reading a report) can say which one let a value through.
// `isMadeOfWords` is no list of its own: a passphrase is made of words too, so only the generic
// rule uses it, and only for names that do not hold a password.
// These are plain string checks, linear in the value, which is short (a rule's capture group).

export interface SecretAllowlist {
  name: string;
  /** True when `value` (a rule's captured secret) is known not to be a real secret. */
  allows(value: string, lower: string): boolean;
}

// Words nobody leaves in a real credential: placeholders and fixture markers.
const PLACEHOLDER_WORDS = [
  'example', 'placeholder', 'your_', 'your-', 'yourkey', 'changeme', 'change_me', 'redacted', 'dummy',
  'sample', 'fake', 'f4ke', 'insert', 'replace', 'todo', 'notreal', 'not_real', '****', '....', '…', '...',
  'qwerty', 'foobar', 'foo-bar', 'lorem', 'password', 'mock', 'fixture', 'testonly', 'test_only',
];
// Short words turn up inside random text (`…PRFWfakEB7…`), so these count only written in one
// case and set off on at least one side (`sk_test_FAKE01`, `myFakeKey`, `dummykey-01`).
// Runs of x stand for a hidden value when written in one case (`xxxx`, `XXXX`; `XxXx` is noise).
const MASK_RUNS = ['xxxx', 'XXXX'];
const isShortWord = (w: string) => /^[a-z0-9]{1,6}$/.test(w) && /[aeiou]/.test(w);
const LONG_PLACEHOLDERS = PLACEHOLDER_WORDS.filter((w) => !isShortWord(w));
const SHORT_PLACEHOLDERS = PLACEHOLDER_WORDS.filter(isShortWord);

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isLetter = (c: number) => isUpper(c) || isLower(c);

/** `v[a, b)` reads as a word: all one case (or capitalised), and not glued to letters on both sides. */
function standsAlone(v: string, a: number, b: number): boolean {
  let upper = 0;
  for (let i = a; i < b; i++) if (isUpper(v.charCodeAt(i))) upper++;
  const oneCase = upper === 0 || upper === b - a || (upper === 1 && isUpper(v.charCodeAt(a)));
  if (!oneCase) return false;
  const before = a === 0 ? -1 : v.charCodeAt(a - 1);
  const after = b === v.length ? -1 : v.charCodeAt(b);
  const leftOk = !isLetter(before) || (isLower(before) && isUpper(v.charCodeAt(a)));
  const rightOk = !isLetter(after) || (isUpper(after) && isLower(v.charCodeAt(b - 1)));
  return leftOk || rightOk;
}

function hasPlaceholderWord(v: string, l: string): boolean {
  if (LONG_PLACEHOLDERS.some((w) => l.includes(w)) || MASK_RUNS.some((w) => v.includes(w))) return true;
  for (const w of SHORT_PLACEHOLDERS) {
    for (let at = l.indexOf(w); at >= 0; at = l.indexOf(w, at + 1)) if (standsAlone(v, at, at + w.length)) return true;
  }
  return false;
}

// Template syntaxes (`${VAR}`, `{{ var }}`, `<your-key>`, `%(name)s`, `$(cmd)`): filled in later.
const TEMPLATE_MARKS = ['${', '{{', '%(', '$(', '<', '>'];

// Where code reads a secret from instead of holding it.
const REFERENCE_WORDS = ['process.env', 'os.environ', 'getenv', 'env(', 'secretkeyref', 'valuefrom'];

/** Six or more letters in alphabet order (`klmnop`): typed by a person, not random. */
function hasTypedRun(l: string): boolean {
  let run = 1;
  let same = 1;
  let longestSame = 1;
  for (let i = 1; i < l.length; i++) {
    const a = l.charCodeAt(i - 1), b = l.charCodeAt(i);
    run = b === a + 1 && b >= 97 && b <= 122 ? run + 1 : 1;
    if (run >= 6) return true;
    same = a === b ? same + 1 : 1;
    if (same > longestSame) longestSame = same;
  }
  // …or one character filling half the value (`sk_live_AAAAAAAAAAAA`); real formats may open
  // with a run (Twitter bearer tokens start with A×22) but the random part follows.
  return longestSame >= 6 && longestSame * 2 >= l.length;
}

/** `abcabcabc`, `token=token=`: a short unit repeated is not random. */
function isRepeatedUnit(l: string): boolean {
  for (let p = 1; p <= 8 && p * 2 <= l.length; p++) {
    let i = p;
    while (i < l.length && l.charCodeAt(i) === l.charCodeAt(i - p)) i++;
    if (i === l.length) return true;
  }
  return false;
}

function distinctAtMost(l: string, n: number): boolean {
  const seen = new Set<string>();
  for (const c of l) {
    seen.add(c);
    if (seen.size > n) return false;
  }
  return true;
}

const isVowel = (c: number) => 'aeiouyAEIOUY'.includes(String.fromCharCode(c));

/**
 * `AgencyIdentificationCodeContentType`: three or more capitalised, pronounceable words (a quarter
 * of their letters vowels) back to back, covering most of the value. Generated tokens hold the odd
 * capital followed by small letters, but not a run of words like this.
 */
export function isMadeOfWords(v: string): boolean {
  let best = 0;
  for (let i = 0; i < v.length; ) {
    let run = 0;
    let words = 0;
    let j = i;
    while (j < v.length && isUpper(v.charCodeAt(j))) {
      let k = j + 1;
      let vowels = isVowel(v.charCodeAt(j)) ? 1 : 0;
      while (k < v.length && isLower(v.charCodeAt(k))) vowels += isVowel(v.charCodeAt(k++)) ? 1 : 0;
      if (k - j < 3 || vowels * 4 < k - j) break;
      words++;
      run += k - j;
      j = k;
    }
    if (words >= 3 && run > best) best = run;
    i = j > i ? j : i + 1;
  }
  return best * 10 >= v.length * 6;
}

const COMMON_VALUES = new Set(['secret', 'passwd', 'admin', 'root', 'user', 'username', 'test', 'pass', 'token', 'guest', 'default', 'letmein', 'hunter2']);

/**
 * Credentials printed in vendors' own documentation and copied into countless READMEs and
 * tutorials; they were never valid or were revoked on publication. Exact values only.
 */
// (AWS's examples end in EXAMPLE and EXAMPLEKEY, which the placeholder words already catch.)
const DOCUMENTATION_EXAMPLES = new Set([
  // Kubernetes documentation, "Secrets" (base64 of `admin` and `1f2d1e2e67df`)
  'YWRtaW4=',
  'MWYyZDFlMmU2N2Rm',
]);

export const SECRET_ALLOWLISTS: readonly SecretAllowlist[] = [
  { name: 'placeholder-word', allows: hasPlaceholderWord },
  { name: 'template-variable', allows: (_v, l) => TEMPLATE_MARKS.some((w) => l.includes(w)) },
  {
    name: 'env-or-variable-reference',
    // `$HOME_TOKEN`, `%API_KEY%`, `@secrets` (not an address: `@` with no dot), `process.env.X`
    allows: (_v, l) => REFERENCE_WORDS.some((w) => l.includes(w)) || l.startsWith('$') || l.startsWith('%') || (l.startsWith('@') && !l.includes('.')),
  },
  { name: 'repeated-or-sequential', allows: (_v, l) => distinctAtMost(l, 3) || hasTypedRun(l) || isRepeatedUnit(l) },
  { name: 'common-value', allows: (_v, l) => COMMON_VALUES.has(l) },
  { name: 'documentation-example', allows: (v) => DOCUMENTATION_EXAMPLES.has(v) },
];

/** The name of the allowlist that says `value` is no secret, or null. */
export function allowlistFor(value: string): string | null {
  const lower = value.toLowerCase();
  for (const a of SECRET_ALLOWLISTS) if (a.allows(value, lower)) return a.name;
  return null;
}
