// Every gatehouse command, one module each. Add a command by adding its module here.
import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

export const commands: AnyCommand[] = [];
