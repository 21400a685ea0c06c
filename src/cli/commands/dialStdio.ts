// `gatehouse dial-stdio`: bridges stdin/stdout to the engine socket of the state dir, byte for byte,
// as `docker system dial-stdio` does. It is what `--host ssh://...` runs on the far side; it exits
// when either side closes. It adds no access: the socket is the caller's own (0600 in a 0700 dir).
import { connect } from 'node:net';
import type { CommandModule } from 'yargs';
import { socketPath } from '../../client/ipcClient.js';
import { CliError } from '../cliError.js';
import { EXIT_NO_ENGINE, stateDirOf, type GlobalArgs } from '../context.js';

export const dialStdioCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dial-stdio',
  describe: "bridge stdin/stdout to this state dir's engine socket (what --host ssh:// runs remotely)",
  handler: async (argv) => {
    const path = socketPath(stateDirOf(argv));
    const sock = connect({ path });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', (err: NodeJS.ErrnoException) =>
        reject(new CliError(`no gatehouse engine is running for ${stateDirOf(argv)} (${err.code === 'ENOENT' ? 'no socket' : err.code ?? err.message})`, EXIT_NO_ENGINE)),
      );
    });
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        sock.destroy();
        process.stdout.end(() => resolve());
      };
      sock.on('error', finish);
      sock.on('close', finish);
      sock.pipe(process.stdout, { end: false });
      process.stdin.pipe(sock, { end: false });
      // The client hung up: the engine's side is ended too (it cancels what that client was waiting for).
      process.stdin.once('end', finish);
      process.stdin.once('error', finish);
    });
    process.exit(0);
  },
};
