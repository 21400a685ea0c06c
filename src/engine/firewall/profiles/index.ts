// The shipped policy profiles (docs/policy.md): `gatehouse policy init --profile P` writes one.
import { CI_POLICY_TEXT } from './ci.js';
import { STANDARD_POLICY_TEXT } from './standard.js';
import { STRICT_POLICY_TEXT } from './strict.js';

export const PROFILES = { standard: STANDARD_POLICY_TEXT, strict: STRICT_POLICY_TEXT, ci: CI_POLICY_TEXT } as const;
export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function profileText(name: string): string | null {
  return Object.hasOwn(PROFILES, name) ? PROFILES[name as ProfileName] : null;
}
