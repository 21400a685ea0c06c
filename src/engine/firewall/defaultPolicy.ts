// The policy written on first run and used offline when no policy file exists: the `standard` profile
// (docs/policy.md) — the everyday loop allowed, plain attacks denied, the rest asked.
import { STANDARD_POLICY_TEXT } from './profiles/standard.js';

export const DEFAULT_POLICY_TEXT = STANDARD_POLICY_TEXT;
