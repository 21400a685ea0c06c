// `gatehouse hook claude-code`: a Claude Code PreToolUse hook (see claudeCodeHook.ts).
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  host: 'claude-code' | 'gemini-cli';
  agent: string;
  wait: boolean;
}

export const hookCommand: CommandModule<GlobalArgs, Args> = {
  command: 'hook <host>',
  describe: 'decide tool calls for an agent host (claude-code: PreToolUse/PostToolUse; gemini-cli: BeforeTool/AfterTool; JSON on stdin)',
  builder: (y) =>
    y
      .positional('host', { choices: ['claude-code', 'gemini-cli'] as const, demandOption: true })
      // Inside `gatehouse sandbox` GATEHOUSE_AGENT names the sandbox's agent, the only one its engine door serves.
      .option('agent', { type: 'string', default: process.env.GATEHOUSE_AGENT || 'claude-code', describe: 'the agent name in policy and ledger (default: $GATEHOUSE_AGENT, else claude-code)' })
      .option('wait', { type: 'boolean', default: false, describe: "wait for a gatehouse operator's answer on ask (keep ask_ttl below the hook timeout) instead of deferring to Claude Code's own prompt" }) as never,
  handler: async (argv) => (await import('../claudeCodeHook.js')).runClaudeCodeHook(argv),
};
