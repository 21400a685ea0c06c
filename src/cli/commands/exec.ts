// `gatehouse exec [--agent A] [--task T] -- COMMAND`: asks the engine, then runs exactly the approved
// text with bash (the grammar the firewall parsed) inside the sandbox (docs/containment.md), its network through
// the engine's egress proxy. Deny (or no engine and no offline allow) exits 126 with the reason; so does a
// host where no sandbox can be built, unless the policy says sandbox.mode: off.
import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import type { ContainSession, SandboxSection } from '../../shared/containPolicy.js';
import { mayRun, type Decision } from '../../shared/firewall.js';
import { CliError } from '../cliError.js';
import { commandWords, containedOptions, type ContainedArgs } from '../containedArgs.js';
import { stateDirOf, type GlobalArgs } from '../context.js';

type Args = ContainedArgs;

export const EXIT_DENIED = 126;

/** What `exec` prints on stderr while its command waits for the operator. */
export function waitingLine(promptId: string, expiresAt: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  return `gatehouse: waiting for the operator (prompt ${promptId}, expires in ${s} s): answer in the console or with 'gatehouse resolve ${promptId.slice(0, 8)} allow|deny'`;
}

export const execCommand: CommandModule<GlobalArgs, Args> = {
  command: 'exec',
  describe: 'run a shell command in the sandbox if the firewall allows it (asks the operator when the policy says ask)',
  builder: (y) => containedOptions(y, 'the agent asking', 'gatehouse exec [--agent A] [--task T] [--workspace DIR] -- COMMAND…') as never,
  handler: async (argv) => {
    const words = commandWords(argv, 'gatehouse exec -- git status');
    const command = words.join(' ');
    const stateDir = stateDirOf(argv);
    const { connectTransport } = await import('../../client/ipcClient.js');
    const { clientOver } = await import('../../client/rpcClient.js');
    const run = await import('../sandboxRun.js');
    let decision: Decision;
    let transport: Awaited<ReturnType<typeof connectTransport>> | null = null;
    let session: ContainSession | null = null;
    try {
      transport = await connectTransport({ stateDir, surface: 'cli' });
      const client = clientOver(transport);
      // An ask can keep the command waiting for minutes: say so on stderr, with the prompt's id and TTL,
      // so the agent's operator knows where to answer (stdout stays the command's own).
      let announced = false;
      const stop = client.subscribe(['prompts'], (e) => {
        if (announced || e.type !== 'prompt.opened' || e.prompt.agent !== argv.agent || e.prompt.command !== command) return;
        announced = true;
        process.stderr.write(`${waitingLine(e.prompt.id, e.prompt.expires_at, Date.now())}\n`);
      });
      try {
        decision = await client.firewall.check({ command, agent: argv.agent, cwd: process.cwd(), ...(argv.task ? { task_id: argv.task } : {}), wait: true });
      } finally {
        stop();
      }
      if (mayRun(decision) && !run.insideSandbox()) {
        session = (await transport.call('contain.open', { agent: argv.agent, command, cwd: process.cwd(), warm: run.canEnterWarm(), ...(argv.task ? { task_id: argv.task } : {}) })) as ContainSession;
      }
    } catch (err) {
      await transport?.close();
      transport = null;
      const { decideOffline, reportOffline } = await import('../offlinePolicy.js');
      const offline = decideOffline(stateDir, { command, agent: argv.agent }, argv.config);
      reportOffline(stateDir, 'exec', argv.agent, command, offline, !!offline && mayRun(offline));
      if (!offline || !mayRun(offline)) throw new CliError(`denied: the engine is unreachable (${(err as Error).message}) and the trusted policy does not allow this offline${offline ? ` (${offline.reason})` : ''}`, EXIT_DENIED);
      decision = offline;
    }
    if (!mayRun(decision)) {
      await transport?.close();
      throw new CliError(`denied by ${decision.source}${decision.rule ? ` (${decision.rule})` : ''}: ${decision.reason}`, EXIT_DENIED);
    }
    const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
    // Offline there is no proxy: the sandbox has no network at all.
    const section: SandboxSection = session?.sandbox ?? run.sandboxOffline(stateDir, argv.agent);
    let code: number;
    try {
    if (run.insideSandbox() || section.mode === 'off') {
      // Already inside a gatehouse sandbox (its walls hold), or the policy turned sandboxing off.
      code = await run.runUnconfined(shell, ['-c', command]);
    } else {
      const t = transport;
      code = await run.runContained({
        argv: [shell, '-c', command],
        workspace: argv.workspace ?? process.cwd(),
        stateDir,
        section,
        proxySocket: session?.proxy_socket ?? null,
        warm: session?.warm_network ?? null,
        onStarted: (stop) => t?.socket.once('close', () => stop('the engine went away')),
      });
    }
    } finally {
      await transport?.close();
    }
    process.exit(code);
  },
};
