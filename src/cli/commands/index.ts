// Every gatehouse command, one module each. Add a command by adding its module here.
import type { CommandModule } from 'yargs';
import { attachCommand, defaultCommand, watchCommand } from './console.js';
import { reloadCommand, stopCommand } from './control.js';
import { doctorCommand } from './doctor.js';
import { execCommand } from './exec.js';
import { sandboxCommand } from './sandbox.js';
import { hookCommand } from './hook.js';
import { pendingCommand, resolveCommand } from './prompts.js';
import { agentsCommand } from './agents.js';
import { ledgerCommand } from './ledger.js';
import { runCommand } from './run.js';
import { auditCommand, scanCommand } from './scan.js';
import { statusCommand } from './status.js';
import { submitCommand, tasksCommand } from './tasks.js';
import { proxyCommand } from './proxy.js';
import { mcpCommand } from './mcp.js';
import { firewallCommand } from './firewall.js';
import { policyCommand } from './policy.js';
import { assistantCommand } from './assistant.js';
import { demoCommand } from './demo.js';
import { setupCommand } from './setup.js';
import { packsCommand } from './packs.js';
import { dialStdioCommand } from './dialStdio.js';
import { alertsCommand } from './alerts.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

export const commands: AnyCommand[] = [
  defaultCommand,
  runCommand,
  attachCommand,
  watchCommand,
  statusCommand,
  submitCommand,
  tasksCommand,
  reloadCommand,
  stopCommand,
  ledgerCommand,
  scanCommand,
  auditCommand,
  doctorCommand,
  pendingCommand,
  resolveCommand,
  agentsCommand,
  execCommand,
  sandboxCommand,
  hookCommand,
  setupCommand,
  proxyCommand,
  mcpCommand,
  firewallCommand,
  policyCommand,
  assistantCommand,
  demoCommand,
  packsCommand,
  dialStdioCommand,
  alertsCommand,
];
