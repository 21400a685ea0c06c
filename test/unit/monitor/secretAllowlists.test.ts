import { describe, it, expect } from 'vitest';
import { allowlistFor, isMadeOfWords, SECRET_ALLOWLISTS } from '../../../src/engine/monitor/secretAllowlists.js';
import { findSecrets } from '../../../src/engine/monitor/secrets.js';
import { fake, randomFrom } from '../../support/monitorSecrets.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Seeded (mulberry32), so a failure names a value that fails again. */
function seededAlnum(seed: number): (n: number) => string {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM[Math.floor(next() * ALNUM.length)];
    return s;
  };
}

describe('secret allowlists', () => {
  it.each([
    ['placeholder-word', 'sk_live_EXAMPLE0000aaaa1111'],
    ['placeholder-word', 'your-api-key-here'],
    ['placeholder-word', 'CHANGEME-before-deploy'],
    ['placeholder-word', 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    ['placeholder-word', 'sk_test_FAKE01abcXyz'],
    ['placeholder-word', 'myFakeServiceKey'],
    ['placeholder-word', 'sk_test_dummykey12345'],
    ['placeholder-word', 'MOCK-token-for-ci-00112233'],
    ['placeholder-word', 'api-fixture-7f3a9c2e5b1d'],
    ['template-variable', '${STRIPE_SECRET_KEY}'],
    ['template-variable', '{{ .Values.apiToken }}'],
    ['template-variable', '<api_token>'],
    ['template-variable', '%(db_secret)s'],
    ['env-or-variable-reference', '$GITHUB_TOKEN'],
    ['env-or-variable-reference', '%APPDATA_TOKEN%'],
    ['env-or-variable-reference', '@vault_secret'],
    ['env-or-variable-reference', 'os.environ.get("API_TOKEN")'],
    ['repeated-or-sequential', 'abababababababab'],
    ['repeated-or-sequential', 'key-abcdefgh-12'],
    ['repeated-or-sequential', '111111112222222'],
    ['common-value', 'letmein'],
    ['documentation-example', 'YWRtaW4='],
    ['documentation-example', 'MWYyZDFlMmU2N2Rm'],
  ])('%s lets %s through', (name, value) => {
    expect(allowlistFor(value)).toBe(name);
  });

  it('lets no random value through', () => {
    const random = seededAlnum(7);
    for (let i = 0; i < 20_000; i++) {
      const v = random(20 + (i % 40));
      expect(allowlistFor(v), v).toBeNull();
      expect(isMadeOfWords(v), v).toBe(false);
    }
  });

  it('names every list once', () => {
    const names = SECRET_ALLOWLISTS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('false positives a scanner must not raise', () => {
  it('takes an identifier made of words for a name, except where a password goes', () => {
    expect(isMadeOfWords('org42:RegistrationFormSubmitHandler')).toBe(true);
    expect(isMadeOfWords('DefaultCredentialProviderChain')).toBe(true);
    expect(findSecrets('api_token = "org42:RegistrationFormSubmitHandler"')).toEqual([]);
    expect(findSecrets('db_password = "CorrectHorseBatteryStaple"').map((f) => f.rule)).toEqual(['generic-assignment']);
  });

  it('skips the Kubernetes documentation Secret but not a real one in the same shape', () => {
    const doc = 'kind: Secret\ndata:\n  username: YWRtaW4=\n  password: MWYyZDFlMmU2N2Rm\n';
    expect(findSecrets(doc)).toEqual([]);
    const real = `kind: Secret\ndata:\n  password: ${Buffer.from(fake.generic()).toString('base64')}\n`;
    expect(findSecrets(real).map((f) => f.rule)).toEqual(['generic-assignment']);
  });

  it('leaves a malformed Telegram token to the Telegram rule, which rejects it', () => {
    const id = randomFrom('0123456789', 20); // bot ids have at most 16 digits
    expect(findSecrets(`telegram_bot_token = "${id}:A${randomFrom(ALNUM, 34)}"`)).toEqual([]);
    const ok = `telegram_bot_token = "${randomFrom('123456789', 10)}:A${randomFrom(ALNUM, 34)}"`;
    expect(findSecrets(ok).map((f) => f.rule)).toEqual(['telegram-bot-token']);
  });

  it('wants the OpenAI key marker, so a key-shaped string without it is not an OpenAI key', () => {
    const marker = Buffer.from('OpenAI').toString('base64');
    const body = () => randomFrom(ALNUM, 74);
    expect(findSecrets(`sk-proj-${body()}${marker}${body()}`).map((f) => f.rule)).toEqual(['openai-api-key']);
    expect(findSecrets(`sk-proj-${body()}${randomFrom(ALNUM, 8)}${body()}`)).toEqual([]);
  });
});
