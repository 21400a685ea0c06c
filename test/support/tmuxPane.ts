// A real terminal for end-to-end console tests: a tmux session on a private server (its own socket, so
// tests never touch the user's tmux or each other's), keys typed with send-keys, the screen read with
// capture-pane. Waits are generous polls on what the screen shows, never fixed sleeps.
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, REPO, configHomeFor } from './engine.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** How long a wait on the screen may take: CLI processes can take seconds to start on a loaded machine. */
export const SCREEN_WAIT_MS = 45_000;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export type ScreenMatch = string | RegExp | ((screen: string) => boolean);

function matches(screen: string, want: ScreenMatch): boolean {
  if (typeof want === 'string') return screen.includes(want);
  if (want instanceof RegExp) return want.test(screen);
  return want(screen);
}

export class TmuxServer {
  readonly socket = `gh-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private count = 0;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /**
   * Runs a shell command line in a new 120×40 (by default) session. When it ends, the pane prints
   * `RC=<exit code>` and stays, so a test can read what the program left behind.
   */
  open(commandLine: string, size: { columns?: number; rows?: number } = {}): Pane {
    const name = `p${this.count++}`;
    const cmd = `cd ${quote(REPO)} && ${commandLine}; echo "RC=$?"; sleep 600`;
    this.tmux('new-session', '-d', '-s', name, '-x', String(size.columns ?? 120), '-y', String(size.rows ?? 40), cmd);
    return new Pane(this, name);
  }

  /**
   * The console as an operator starts it: `gatehouse --state-dir DIR [args]`, with CI unset (ink draws
   * nothing interactive under CI) and the state dir's own config home.
   */
  console(stateDir: string, args: string[] = [], env: Record<string, string> = {}, size: { columns?: number; rows?: number } = {}): Pane {
    const vars = Object.entries({ XDG_CONFIG_HOME: configHomeFor(stateDir), GATEHOUSE_API_TOKEN: '', GATEHOUSE_POLICY: '', ...env })
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ');
    return this.open(`env -u CI ${vars} ${quote(process.execPath)} ${quote(BIN)} --state-dir ${quote(stateDir)} ${args.map(quote).join(' ')}`, size);
  }

  /** Ends this test's tmux server and every pane in it (only ours: it has its own socket). */
  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

export class Pane {
  constructor(
    private readonly server: TmuxServer,
    readonly name: string,
  ) {}

  screen(): string {
    return this.server.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Named keys as tmux knows them: 'Enter', 'Escape', 'C-c', or plain characters one argument each. */
  keys(...keys: string[]): void {
    this.server.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Types text literally (no key-name lookup), as one burst. */
  type(text: string): void {
    this.server.tmux('send-keys', '-t', this.name, '-l', text);
  }

  /** `alternate_on cursor_flag`: "1 0" while a full-screen console runs, "0 1" once the terminal is given back. */
  terminalState(): string {
    return this.server.tmux('display-message', '-p', '-t', this.name, '#{alternate_on} #{cursor_flag}').trim();
  }

  async waitFor(want: ScreenMatch, ms = SCREEN_WAIT_MS): Promise<string> {
    const deadline = Date.now() + ms;
    let last = '';
    for (;;) {
      last = this.screen();
      if (matches(last, want)) return last;
      if (Date.now() > deadline) throw new Error(`pane ${this.name} never showed ${String(want)}; it shows:\n${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until the program in the pane has exited and returns its exit code. */
  async exitCode(ms = SCREEN_WAIT_MS): Promise<number> {
    const s = await this.waitFor(/RC=\d+/, ms);
    return Number(/RC=(\d+)/.exec(s)![1]);
  }
}

/** The queue row of one task, as a regex on the screen: id, type, status. */
export function taskRow(id: string, status: string, type = 'chat'): RegExp {
  return new RegExp(`${id}\\s+${type}\\s+${status}\\b`);
}
