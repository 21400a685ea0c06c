// What the sensors see a process do, whichever source saw it (Linux audit or /proc polling).

export type SensorEventKind = 'exec' | 'open' | 'connect';

export interface SensorEvent {
  kind: SensorEventKind;
  /** Milliseconds since the epoch, as the source recorded it (audit's own timestamp). */
  at: number;
  pid: number;
  ppid: number;
  /** Program name: the basename of the executable (or the kernel's comm when no path is known). */
  program: string;
  /** exec: argv as run (hex-decoded); empty for other kinds. */
  argv: string[];
  /** open: the file opened; exec: the executable. */
  path: string | null;
  /** open: whether the file was opened for writing. */
  write?: boolean;
  /** connect: the destination. */
  dest: { address: string; port: number } | null;
  /** Which source saw it, and its own id for the event (audit serial). */
  source: 'audit' | 'proc';
  ref: string;
}

/** An event with the agent it belongs to (null: no registered agent's process tree). */
export interface AttributedEvent extends SensorEvent {
  agent: string | null;
}

export function programOf(path: string | null, fallback: string): string {
  if (!path) return fallback;
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
