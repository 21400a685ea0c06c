// `gatehouse sandbox [--agent A] [--workspace DIR] [--task T] -- CMD…`: runs a whole agent (Claude Code
// with the hook, a gateway worker) inside the sandbox (docs/containment.md). Inside, where the engine's
// socket is, the sandbox has its own engine door: it serves the hook and `gatehouse exec` as this agent
// and refuses what only an operator does (answers, stop, trust); nothing else of the state dir is
// there. The agent is registered with the sandbox's pid for as long as it runs; the sandbox stops if
// the engine goes away.
import type { CommandModule } from 'yargs';
import type { ContainSession } from '../../shared/containPolicy.js';
import { CliError } from '../cliError.js';
import { commandWords, containedOptions, type ContainedArgs } from '../containedArgs.js';
import { stateDirOf, type GlobalArgs } from '../context.js';

type Args = ContainedArgs;

export const sandboxCommand: CommandModule<GlobalArgs, Args> = {
  command: 'sandbox',
  describe: 'run a whole agent in the sandbox: writes only in its workspace, network only through the policy',
  builder: (y) => containedOptions(y, 'the agent name in policy and ledger', 'gatehouse sandbox [--agent A] [--workspace DIR] -- CMD…') as never,
  handler: async (argv) => {
    const words = commandWords(argv, 'gatehouse sandbox --agent coder -- claude');
    const stateDir = stateDirOf(argv);
    const { connectTransport, socketPath } = await import('../../client/ipcClient.js');
    const run = await import('../sandboxRun.js');
    const { EXIT_NO_SANDBOX } = await import('../../engine/contain/sandbox.js');
    const workspace = argv.workspace ?? process.cwd();
    let transport: Awaited<ReturnType<typeof connectTransport>>;
    try {
      transport = await connectTransport({ stateDir, surface: 'cli' });
    } catch (err) {
      throw new CliError(`refused: the engine is unreachable (${(err as Error).message}); an agent runs sandboxed only while the engine governs it`, EXIT_NO_SANDBOX);
    }
    let code: number;
    try {
      const session = (await transport.call('contain.open', { agent: argv.agent, command: words.join(' '), cwd: workspace, door: true, warm: run.canEnterWarm(), ...(argv.task ? { task_id: argv.task } : {}) })) as ContainSession;
      const env = { ...process.env, GATEHOUSE_STATE_DIR: stateDir, GATEHOUSE_AGENT: argv.agent };
      if (session.sandbox.mode === 'off') {
        process.stderr.write('gatehouse: sandbox.mode is off in the policy: the agent runs unconfined\n');
        code = await run.runUnconfined(words[0]!, words.slice(1), env);
      } else {
        // An engine that made no door for the sandbox would leave it the operator's socket: refuse.
        if (!session.engine_socket) throw new CliError('refused: the engine opened no engine door for the sandbox (upgrade the engine)', EXIT_NO_SANDBOX);
        code = await run.runContained({
          argv: words,
          workspace,
          stateDir,
          section: session.sandbox,
          proxySocket: session.proxy_socket,
          warm: session.warm_network ?? null,
          engineDoor: { from: session.engine_socket, to: socketPath(stateDir) },
          env,
          onStarted: (stop, pid) => {
            transport.socket.once('close', () => stop('the engine went away'));
            transport.call('agents.register', { name: argv.agent, pid }).catch(() => {});
          },
        });
      }
    } finally {
      await transport.close();
    }
    process.exit(code);
  },
};
