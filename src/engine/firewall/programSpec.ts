// The shape of what the firewall knows about a program (law 4a): how its argv is read, which options
// run another program or write/delete files, which operands are paths it reads, writes or deletes,
// and where a command it runs starts. The entries themselves are data, in programs.ts.

/** What an option or operand does. `exec` runs something the policy cannot see; `upload` sends a local file away. */
export type Effect = 'exec' | 'write' | 'delete' | 'upload';

export interface RiskyOption {
  /** Spellings: `-o`, `--output` (unique prefixes are read too, as getopt_long does), `of=` (a key=value operand), `+` (a `+cmd` word). */
  names: string[];
  effect: Effect;
  /** What follows the option: nothing (a flag), a path, text, or an optional value attached to it (sed -i[SUFFIX]). */
  value?: 'none' | 'path' | 'text' | 'attached';
  /** Only risky when the value matches (ssh `-o ProxyCommand=…`, tar `--checkpoint-action=exec=…`). */
  when?: RegExp;
  /** A local file the value names, for path rules: group 1 (curl `-d @FILE`, `-F name=@FILE`); read unless the effect writes or deletes. */
  path?: RegExp;
  why: string;
}

/** An option whose value is a path, for path rules only (tar -f/-C, wget -i): no risk of its own. */
export interface OptionPath {
  names: string[];
  role: 'read' | 'write' | 'delete';
  /** Only when one of these options is present too (tar -f is written with -c, read with -x). */
  if?: string[];
  recursive?: boolean;
}

/** A command the program runs, which becomes a segment judged by every law itself. */
export type RunSpec =
  /** The command's argv starts at operand number `skip` (xargs 0, flock FILE 1, chroot NEWROOT 1, docker exec CONTAINER 1). */
  | {
      kind: 'operands';
      skip: number;
      /** The words are joined into a shell command line (ssh, watch, parallel). */
      shell?: boolean;
      /** Words read from input are added to the command (xargs, parallel); `replace` marks the placeholder option (-I). */
      input?: boolean;
      /** With no command: a miss (`xargs` alone runs what its input says), fine (`ssh host` logs in), or a shell runs (chroot). */
      none: 'miss' | 'ok';
      /** Words that end the command (parallel `:::`). */
      stop?: string[];
    }
  /** The words after one of `starts` up to one of `ends` (find -exec … ;). */
  | { kind: 'between'; starts: string[]; ends: string[]; input?: string };

export type OperandRole = 'read' | 'write' | 'delete' | 'text' | 'exec' | 'host';

export interface OperandRule {
  /** Which operands: the n-th (0-based), the last one, or every one not otherwise named. */
  at: number | 'last' | 'rest';
  role: OperandRole;
  /** The rule applies only when this option is absent (cp's last operand is the target unless `-t DIR` names it). */
  unless?: string[];
  /** The rule applies only when one of these options is present (sed -i writes its files): recorded, not guarded (the option is). */
  if?: string[];
  /** The rule applies only to operands that look like this (make's VAR=value, pip's local paths). */
  when?: RegExp;
  /** The operand is `KEY=PATH` (dd's if=). */
  key?: string;
  /** The path is group 1 of this (socat's FILE:PATH addresses). */
  pathIn?: RegExp;
  /** A written or deleted path read for the path rules only, not guarded (touch, mkdir, chmod: writing is all they do). */
  pathOnly?: boolean;
  /** The program reads it too (mv's sources, an editor's files). */
  alsoRead?: boolean;
  /** The program walks it: always, or when one of these options is given (rm -r, grep -R). A denied tree below it counts. */
  recursive?: true | string[];
  /** With no operand (and the walk on): the program works on this path (grep -r and rg search `.`, find starts at `.`). */
  whenNone?: string;
  /** `HOST:PATH` operands are another machine's and no local path (scp, rsync, docker cp). */
  local?: boolean;
}

export interface ProgramSpec {
  /** One line: what the program is and where its risky forms come from (GTFOBins page, manual). */
  about: string;
  /** Short option letters that take a value (so `-t o` and `-to` are read as sort's -t, not -o). */
  shortValue?: string;
  /** Long options that take a value as the next word when written without `=`. */
  longValue?: string[];
  /** Options end at the first operand (POSIX getopt, and every program that runs a command from its operands). */
  posix?: boolean;
  /** The first word may be an option cluster without `-` (tar xzf). */
  bundledFirst?: boolean;
  /** Options spelled with one dash and a long name (find -name, dd-style key=value are operands). */
  singleDashLong?: boolean;
  options?: RiskyOption[];
  operands?: OperandRule[];
  /** Options whose value is a path for the path rules (no risk of their own). */
  optionPaths?: OptionPath[];
  /** A path the program works on without naming it (tar -x writes into `.` unless -C names a directory). */
  implicit?: { path: string; role: 'read' | 'write' | 'delete'; if: string[]; unless?: string[]; recursive?: boolean }[];
  /** Option values that are a command line to run (parsed and judged like any command). */
  commandOptions?: { names: string[]; shell: boolean; why: string }[];
  runs?: RunSpec;
  /** Read by the first operand (git log, npm exec, docker run). */
  subcommands?: Record<string, ProgramSpec>;
  /** The program's options are read after its subcommand too (npm's config flags), not only before it (git's). */
  optionsAnywhere?: boolean;
  /** A first operand that is no known subcommand runs something else (git aliases and git-X on PATH, yarn scripts). */
  unknownSubcommand?: { effect: Effect; why: string };
  /** The word that selects this entry runs programs of its own choosing (git difftool, git send-email). */
  execSelf?: string;
  /** Inline program text to read: the first operand unless one of `unless` gives it; `options` whose value is such text. */
  script?: { language: 'sed'; unless: string[]; options: string[] };
  /** Another subcommand of the same program this one is a name for (npm x → exec). */
  alias?: string;
}

/**
 * A program that runs the rest of its argv as a command (law 4). Transparent wrappers (env, nice,
 * timeout …) are unwrapped: the command they run is judged in their place. Privileged ones (sudo, su,
 * eval …) are never allowed by a pattern; the command they run is still judged, for the denylist.
 */
export interface WrapperSpec {
  about: string;
  kind: 'transparent' | 'privileged';
  /** The options it takes: short letters with a value and without, long names with a value and without. */
  shortValue?: string;
  flags?: string;
  longValue?: string[];
  longFlags?: string[];
  /** Why any other option makes a transparent wrapper unreadable (a miss); a privileged one then runs a command not found. */
  otherOptions?: string;
  /** A first word like this is an option with its value (nice -5). */
  firstOption?: RegExp;
  /** Option letters after which it runs nothing (command -v looks a name up). */
  lookup?: string;
  /** Options that make it never allowed, anywhere in its argv (sudo -e edits files as root). */
  never?: { names: string[]; why: string };
  /** NAME=value words before the command set its environment (env): only safe ones keep it allowable. */
  assignments?: boolean;
  /** An operand before the command, of this shape (timeout's DURATION). */
  leading?: { re: RegExp; what: string };
  /**
   * Options whose value is a command line to parse (su -c); `rest`: the words after it continue that
   * line (env -S). `anywhere`: read after operands too (su USER -c CMD), as GNU getopt permutes.
   */
  commandOptions?: { names: string[]; how?: string; rest?: boolean; anywhere?: boolean };
  /** Every operand is a command line (eval). */
  scriptOperands?: boolean;
  /** Its operands are no command (su's are a user and the shell's arguments). */
  noCommand?: boolean;
}
