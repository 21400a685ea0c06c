// The policy written on first run and used offline when no policy file exists: the `standard` profile
// (DESIGN.md §14) — the everyday loop allowed, plain attacks denied, the rest asked.
import { STANDARD_POLICY_TEXT } from './profiles/standard.js';

export const DEFAULT_POLICY_TEXT = STANDARD_POLICY_TEXT;
