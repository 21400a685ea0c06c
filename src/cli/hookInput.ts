// What an agent host hands its hook (Claude Code's and Gemini CLI's JSON on stdin) and the hook
// command's own arguments: shared by the PreToolUse and PostToolUse halves.
import { z } from 'zod';
import type { GlobalArgs } from './context.js';
import type { HookHost } from './hostNames.js';

export const HookInput = z.object({
  hook_event_name: z.string().optional(),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()).default({}),
  tool_response: z.unknown().optional(),
  cwd: z.string().optional(),
  session_id: z.string().optional(),
});
export type HookInputT = z.infer<typeof HookInput>;

export interface HookArgs extends GlobalArgs {
  agent: string;
  wait: boolean;
  host?: HookHost;
}
