// Claude Code PostToolUse: the tool's output, scanned for secrets and prompt injection per the policy's `outputs:`.
import type { HookArgs, HookInputT } from './claudeCodeHook.js';

export async function runPostToolUse(_argv: HookArgs, _input: HookInputT): Promise<void> {
  // Filled in by the outputs slice.
}
