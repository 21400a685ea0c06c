// The agent hosts gatehouse has a hook for (docs/agent-hosts.md), in a module of its own so the command
// table can name them without loading the hosts' tables.
export const HOOK_HOSTS = ['claude-code', 'gemini-cli', 'codex', 'cursor', 'copilot-cli', 'windsurf', 'cline'] as const;
export type HookHost = (typeof HOOK_HOSTS)[number];
