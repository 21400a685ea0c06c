// Who holds a TCP port, as far as the OS tells this user: the listening socket's inode from
// /proc/net/tcp{,6}, then the process whose fd points at it (only this user's processes are readable;
// another user's holder is reported as such). Linux only; elsewhere nothing is known and nothing is said.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  pid: number | null;
  command: string | null;
}

const LISTEN = '0A';

/** The inodes of sockets listening on this port (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (f.length > 9 && f[1]?.endsWith(`:${hex}`) && f[3] === LISTEN && f[9] !== '0') inodes.add(f[9]!);
    }
  }
  return inodes;
}

/** The holder of a listening port: its pid and command when readable, pid null when the socket is
 * another user's; null when the OS lists no listener (or this is not Linux). */
export function portHolder(port: number): PortHolder | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return { pid: null, command: null };
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) {
        let command: string | null = null;
        try {
          command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 120) || null;
        } catch {
          /* gone */
        }
        return { pid: Number(pid), command };
      }
    }
  }
  return { pid: null, command: null };
}

/** A start that cannot go on, with a message that says what to change; the CLI prints it and exits 1. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The message for a REST port already in use: the port, its holder where known, and how to change it. */
export function portInUseMessage(host: string, port: number, holder: PortHolder | null): string {
  const who = !holder ? '' : holder.pid === null ? ' by a process of another user' : ` by pid ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`;
  return `the REST API cannot listen on ${host}:${port}: the port is in use${who}; choose another with --port N (0 = any free port) or api.port in the config file`;
}
