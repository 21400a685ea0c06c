// Every gatehouse command, one module each. Add a command by adding its module here.
import type { CommandModule } from 'yargs';
import { proxyCommand } from './proxy.js';
import { mcpCommand } from './mcp.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

export const commands: AnyCommand[] = [proxyCommand, mcpCommand];
