// Random secret-shaped values for the monitor tests, built at run time so the repository itself
// holds no secret-looking literals.
import { randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomFrom(chars: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += chars[randomInt(chars.length)];
  return s;
}

export const fake = {
  github: () => 'ghp_' + randomFrom(ALNUM, 36),
  aws: () => 'AKIA' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16),
  anthropic: () => 'sk-ant-api03-' + randomFrom(ALNUM + '_-', 93) + 'AA',
  slackBot: () => `xoxb-${randomFrom('0123456789', 12)}-${randomFrom('0123456789', 13)}-${randomFrom(ALNUM, 24)}`,
  stripeLive: () => 'sk_live_' + randomFrom(ALNUM, 24),
  stripeTest: () => 'sk_test_' + randomFrom(ALNUM, 24),
  generic: () => randomFrom(ALNUM, 32),
  privateKey: () => `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomFrom(ALNUM + '+/', 64)}\n${randomFrom(ALNUM + '+/', 64)}\n-----END OPENSSH PRIVATE KEY-----`,
};
