// What the firewall knows about the programs agents really use (law 4a), one entry a program: the
// options that run another program or write/delete files, the operands that are paths, and where a
// command the program runs starts. Started from GTFOBins (https://gtfobins.github.io/, the "Shell",
// "Command", "File write" and "File upload" functions of each page) and each program's manual.
// A program not listed keeps the plain rules (its whole argv matched by a pattern).
import type { OperandRule, ProgramSpec, RiskyOption, WrapperSpec } from './programSpec.js';

const exec = (names: string[], why: string, value: RiskyOption['value'] = 'text', when?: RegExp): RiskyOption => ({ names, effect: 'exec', value, why, ...(when ? { when } : {}) });
const write = (names: string[], why: string, value: RiskyOption['value'] = 'path'): RiskyOption => ({ names, effect: 'write', value, why });
const del = (names: string[], why: string, value: RiskyOption['value'] = 'none'): RiskyOption => ({ names, effect: 'delete', value, why });
const upload = (names: string[], why: string, when?: RegExp, path: RegExp = WHOLE): RiskyOption => ({ names, effect: 'upload', value: 'text', why, path, ...(when ? { when } : {}) });
/** The whole value is the path. */
const WHOLE = /^(.+)$/s;

/** Every operand is a file the program reads. */
const READS: OperandRule[] = [{ at: 'rest', role: 'read' }];

/** A pip requirement that is a local path, an archive or a VCS URL: installing it runs its build code. */
const LOCAL_PACKAGE = /^(\.|\/|~|file:|[a-z]+\+)|\/|\.(tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$/;

const PIP_OPTIONS = [
  write(['--log', '-t', '--target', '--prefix', '--root', '-d', '--dest', '--src', '--cache-dir'], 'writes into FILE or DIRECTORY'),
  exec(['-e', '--editable', '--global-option', '--install-option', '--config-settings', '--python'], 'builds and runs code from a path or passes options to its build'),
  exec(['-r', '--requirement', '-c', '--constraint'], 'installs what a file lists, which may be local paths whose build code runs'),
];

/** git options that print a diff: --output writes it, --ext-diff runs diff.external. */
const GIT_DIFFS: ProgramSpec = {
  about: 'git: a command that prints diffs',
  longValue: ['--author', '--committer', '--grep', '--since', '--until', '--format', '--pretty', '--date', '-G', '-S', '--diff-filter', '--encoding', '--max-count', '--skip', '--relative', '--src-prefix', '--dst-prefix'],
  shortValue: 'nGSO',
  options: [write(['--output'], 'writes the output to FILE'), exec(['--ext-diff'], 'runs the external diff program from config or GIT_EXTERNAL_DIFF', 'none'), exec(['--textconv'], 'runs the textconv filters from config', 'none')],
};

const GIT_REMOTE: ProgramSpec = {
  about: 'git: a command that talks to a remote',
  longValue: ['--depth', '--branch', '--origin', '--reference', '--shallow-since', '--jobs', '--filter', '--separate-git-dir', '--server-option'],
  shortValue: 'bojc',
  options: [
    exec(['--upload-pack', '-u'], 'runs PROGRAM as the remote upload-pack (locally for a local or ssh remote)'),
    exec(['--receive-pack', '--exec'], 'runs PROGRAM as the remote receive-pack'),
    exec(['--template'], 'copies hooks from a template directory, which then run'),
    exec(['--config', '-c'], 'sets configuration (core.sshCommand, core.pager, … run programs)'),
    exec(['--recurse-submodules', '--recursive'], 'clones submodules whose config may run programs', 'none'),
  ],
};

export const PROGRAMS: Record<string, ProgramSpec> = {
  // ---- programs that run programs ----
  find: {
    about: 'find: -exec/-execdir/-ok/-okdir run a command for each file; -delete and -fprint* change files (GTFOBins find)',
    singleDashLong: true,
    runs: { kind: 'between', starts: ['-exec', '-execdir', '-ok', '-okdir'], ends: [';', '+'], input: '{}' },
    options: [del(['-delete'], 'deletes every file found'), write(['-fprint', '-fprint0', '-fprintf', '-fls'], 'writes the list of files to FILE')],
    // The start points (`.` when none) are walked; -delete deletes what is under them.
    operands: [
      { at: 'rest', role: 'delete', if: ['-delete'], alsoRead: true, recursive: true, whenNone: '.' },
      { at: 'rest', role: 'read', recursive: true, whenNone: '.' },
    ],
  },
  xargs: {
    about: 'xargs: runs its command with words read from input; with no command, input decides what runs (GTFOBins xargs)',
    posix: true,
    shortValue: 'IinPdEsLa',
    longValue: ['--replace', '--max-args', '--max-procs', '--delimiter', '--eof', '--max-chars', '--max-lines', '--arg-file', '--process-slot-var'],
    runs: { kind: 'operands', skip: 0, input: true, none: 'miss' },
  },
  parallel: {
    about: 'GNU parallel: runs its command line (through a shell) for each input (GTFOBins parallel)',
    posix: true,
    shortValue: 'jSIaX',
    longValue: ['--jobs', '--sshlogin', '--arg-file', '--colsep', '--delimiter', '--joblog', '--results', '--workdir', '--basefile', '--transfer-file', '--return', '--timeout', '--shebang-wrap'],
    options: [write(['--joblog', '--results', '--output-as-files'], 'writes job output or a log to files'), exec(['--sshlogin', '-S', '--basefile', '--workdir'], 'runs jobs on other hosts')],
    runs: { kind: 'operands', skip: 0, shell: true, input: true, none: 'miss', stop: [':::', '::::', ':::+', '::::+'] },
  },
  watch: {
    about: 'watch: runs its command line through sh -c repeatedly (GTFOBins watch)',
    posix: true,
    shortValue: 'nd',
    longValue: ['--interval', '--differences'],
    runs: { kind: 'operands', skip: 0, shell: true, none: 'miss' },
  },
  flock: {
    about: 'flock: takes a lock file, then runs a command (-c: through sh -c) (GTFOBins flock)',
    shortValue: 'wEc',
    longValue: ['--timeout', '--conflict-exit-code'],
    commandOptions: [{ names: ['-c', '--command'], shell: true, why: 'runs a command line through sh -c' }],
    operands: [{ at: 0, role: 'write' }],
    runs: { kind: 'operands', skip: 1, none: 'ok' },
  },
  setsid: { about: 'setsid: runs a command in a new session (GTFOBins setsid)', posix: true, runs: { kind: 'operands', skip: 0, none: 'miss' } },
  ionice: { about: 'ionice: runs a command with an I/O class', posix: true, shortValue: 'cnp', longValue: ['--class', '--classdata', '--pid', '--pgid', '--uid'], runs: { kind: 'operands', skip: 0, none: 'ok' } },
  chrt: { about: 'chrt: runs a command with a scheduling policy (priority first)', posix: true, runs: { kind: 'operands', skip: 1, none: 'ok' } },
  taskset: { about: 'taskset: runs a command on some CPUs (mask first)', posix: true, runs: { kind: 'operands', skip: 1, none: 'ok' } },
  unbuffer: { about: 'unbuffer (expect): runs a command with a pseudo-terminal', posix: true, runs: { kind: 'operands', skip: 0, none: 'miss' } },
  coproc: { about: 'coproc: runs a command as a bash coprocess', posix: true, runs: { kind: 'operands', skip: 0, none: 'miss' } },
  builtin: { about: 'builtin: runs a shell builtin (builtin eval runs text)', posix: true, runs: { kind: 'operands', skip: 0, none: 'miss' } },
  chroot: {
    about: 'chroot: runs a command (or $SHELL) with another root directory (GTFOBins chroot)',
    posix: true,
    longValue: ['--userspec', '--groups'],
    runs: { kind: 'operands', skip: 1, none: 'miss' },
  },
  strace: {
    about: 'strace: runs a command under tracing; -o writes the trace (GTFOBins strace)',
    posix: true,
    shortValue: 'eoOpPsSuUEIXbaA',
    longValue: ['--output', '--attach', '--user', '--env', '--trace', '--signal', '--string-limit'],
    options: [write(['-o', '--output'], 'writes the trace to FILE')],
    runs: { kind: 'operands', skip: 0, none: 'ok' },
  },
  ltrace: {
    about: 'ltrace: runs a command under library tracing; -o writes the trace (GTFOBins ltrace)',
    posix: true,
    shortValue: 'eoOpsSuUaAlLnIbF',
    longValue: ['--output', '--library', '--config'],
    options: [write(['-o', '--output'], 'writes the trace to FILE')],
    runs: { kind: 'operands', skip: 0, none: 'ok' },
  },
  script: {
    about: 'script: records a terminal session into a file; -c runs a command line (GTFOBins script)',
    shortValue: 'cETtIOmB',
    longValue: ['--command', '--echo', '--log-timing', '--log-in', '--log-out', '--log-io', '--logging-format', '--output-limit', '--timing'],
    commandOptions: [{ names: ['-c', '--command'], shell: true, why: 'runs a command line through a shell' }],
    options: [write(['--log-in', '--log-out', '--log-io', '--log-timing', '-I', '-O', '-B', '-T', '--timing'], 'writes a log file')],
    operands: [{ at: 0, role: 'write' }],
  },
  ssh: {
    // OpenSSH reads options after the host too; the command starts at the second operand.
    about: 'ssh: runs its command line on the remote host; -o ProxyCommand/LocalCommand and -F run local programs (GTFOBins ssh)',
    shortValue: 'BbcDEeFIiJLlmOopQRSWw',
    options: [
      exec(['-o'], 'runs a local program (ProxyCommand, LocalCommand, KnownHostsCommand, …)', 'text', /^\s*(proxycommand|localcommand|permitlocalcommand|knownhostscommand|pkcs11provider|securitykeyprovider|include|match)\b/i),
      exec(['-F'], 'reads a config file, which may run programs (ProxyCommand, LocalCommand)'),
      exec(['-J'], 'jumps through another host (runs ssh again)'),
      write(['-E'], 'appends debug logs to FILE'),
      write(['-S'], 'creates a control socket at PATH'),
    ],
    runs: { kind: 'operands', skip: 1, shell: true, none: 'ok' },
  },
  scp: {
    about: 'scp: copies files; the last operand is written; -S runs a program as ssh (GTFOBins scp)',
    shortValue: 'cFiJloPSXD',
    options: [exec(['-S'], 'runs PROGRAM instead of ssh'), exec(['-F'], 'reads an ssh config, which may run programs'), exec(['-o'], 'runs a local program (ProxyCommand, LocalCommand, …)', 'text', /^\s*(proxycommand|localcommand|permitlocalcommand|knownhostscommand|pkcs11provider|securitykeyprovider|include|match)\b/i), exec(['-J'], 'jumps through another host')],
    operands: [{ at: 'last', role: 'write', local: true }, { at: 'rest', role: 'read', local: true, recursive: ['-r'] }],
  },
  rsync: {
    about: 'rsync: copies files; -e runs its remote shell, --rsync-path runs a program remotely (GTFOBins rsync)',
    shortValue: 'eBfTM',
    longValue: ['--rsh', '--rsync-path', '--log-file', '--write-batch', '--only-write-batch', '--read-batch', '--backup-dir', '--files-from', '--exclude', '--include', '--exclude-from', '--include-from', '--filter', '--password-file', '--temp-dir', '--partial-dir', '--chmod', '--chown', '--timeout', '--bwlimit', '--suffix', '--compare-dest', '--copy-dest', '--link-dest'],
    commandOptions: [{ names: ['-e', '--rsh'], shell: true, why: 'runs COMMAND as the remote shell' }],
    options: [
      exec(['--rsync-path'], 'runs PROGRAM as rsync on the other side'),
      write(['--log-file', '--write-batch', '--only-write-batch', '--backup-dir', '--partial-dir', '--temp-dir'], 'writes files outside the destination'),
      del(['--remove-source-files', '--delete', '--delete-before', '--delete-during', '--delete-delay', '--delete-after', '--delete-excluded', '--del'], 'deletes files'),
    ],
    operands: [{ at: 'last', role: 'write', local: true }, { at: 'rest', role: 'read', local: true, recursive: true }],
  },
  docker: {
    about: 'docker: root on the host in practice; exec/run run a command in a container (GTFOBins docker)',
    longValue: ['--host', '--context', '--config', '--log-level'],
    shortValue: 'Hcl',
    subcommands: {
      exec: { about: 'docker exec: runs a command in a running container', posix: true, shortValue: 'eurw', longValue: ['--env', '--env-file', '--user', '--workdir', '--detach-keys'], runs: { kind: 'operands', skip: 1, none: 'miss' } },
      run: {
        about: 'docker run: runs a command in a new container; mounts, devices and host namespaces reach the host',
        posix: true,
        shortValue: 'eupvwhlmc',
        longValue: ['--env', '--env-file', '--user', '--publish', '--name', '--workdir', '--hostname', '--label', '--memory', '--entrypoint', '--network', '--net', '--pid', '--ipc', '--uts', '--userns', '--volume', '--mount', '--device', '--cap-add', '--security-opt', '--platform', '--cpus', '--restart', '--add-host'],
        options: [
          exec(['-v', '--volume', '--mount', '--device', '--volumes-from'], 'mounts host files or devices into the container'),
          exec(['--privileged'], 'gives the container every capability on the host', 'none'),
          exec(['--pid', '--ipc', '--uts', '--userns', '--network', '--net', '--cgroupns'], 'shares a host namespace', 'text', /^host$/),
          exec(['--cap-add', '--security-opt'], 'widens what the container may do on the host'),
          exec(['--entrypoint'], 'replaces the program the image runs'),
        ],
        runs: { kind: 'operands', skip: 1, none: 'ok' },
      },
      cp: { about: 'docker cp: copies files between a container and the host', operands: [{ at: 'last', role: 'write', local: true }, { at: 'rest', role: 'read', local: true }] },
    },
  },
  kubectl: {
    about: 'kubectl: exec runs a command in a pod; cp writes files',
    longValue: ['--namespace', '--context', '--kubeconfig', '--cluster', '--user', '--server', '--token'],
    shortValue: 'ns',
    subcommands: {
      exec: { about: 'kubectl exec: runs the command after -- in a pod', shortValue: 'cfn', longValue: ['--container', '--filename', '--namespace', '--pod-running-timeout'], runs: { kind: 'operands', skip: 1, none: 'miss' } },
      cp: { about: 'kubectl cp: copies files between a pod and the host', shortValue: 'c', longValue: ['--container'], operands: [{ at: 'last', role: 'write', local: true }, { at: 'rest', role: 'read', local: true }] },
    },
  },

  // ---- version control ----
  git: {
    about: 'git: -c and aliases run programs; --output writes; --ext-diff, --upload-pack and friends run programs (GTFOBins git)',
    posix: true,
    shortValue: 'Cc',
    longValue: ['--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--list-cmds'],
    options: [
      exec(['-c'], 'sets configuration for this run (core.pager, core.sshCommand, diff.external, … run programs)'),
      exec(['--config-env'], 'sets configuration from the environment'),
      exec(['--exec-path'], 'runs git programs from another directory'),
    ],
    unknownSubcommand: { effect: 'exec', why: 'is no git command: an alias (a `!` alias runs a shell) or git-NAME found on PATH' },
    subcommands: Object.fromEntries([
      ['config', { about: 'git config: setting a value (core.pager, core.sshCommand, alias.X=!…) makes later git commands run it', shortValue: 'f', longValue: ['--file', '--blob', '--type', '--default'], options: [exec(['-e', '--edit'], 'runs an editor', 'none'), exec(['--add', '--replace-all'], 'sets configuration that may run programs', 'none')], operands: [{ at: 1, role: 'exec' }] }],
      ['grep', { about: 'git grep: -O opens files in a pager of its choosing', shortValue: 'efmABC', longValue: ['--max-depth', '--open-files-in-pager'], options: [exec(['-O', '--open-files-in-pager'], 'runs a pager on the files found', 'none')] }],
      ['rebase', { about: 'git rebase: -x/--exec runs a command line after each commit', shortValue: 'xsX', longValue: ['--exec', '--onto', '--strategy', '--strategy-option'], options: [exec(['-x', '--exec'], 'runs a command line after each commit')] }],
      ['bisect', { about: 'git bisect: run runs a command at each step', operands: [{ at: 0, role: 'exec', when: /^run$/ }] }],
      ['submodule', { ...GIT_REMOTE, about: 'git submodule: foreach runs a command line in each submodule', operands: [{ at: 0, role: 'exec', when: /^foreach$/ }] }],
      ['archive', { about: 'git archive: -o writes FILE; --exec runs a program', shortValue: 'o', longValue: ['--output', '--format', '--prefix', '--remote', '--exec'], options: [write(['-o', '--output'], 'writes the archive to FILE'), exec(['--exec', '--remote'], 'runs git-upload-archive of its choosing')] }],
      ['format-patch', { about: 'git format-patch: -o writes into DIR', shortValue: 'ov', longValue: ['--output-directory', '--output'], options: [write(['-o', '--output-directory', '--output'], 'writes patch files')] }],
      ...['difftool', 'mergetool', 'filter-branch', 'send-email', 'credential', 'daemon', 'instaweb', 'web--browse', 'help'].map((c) => [c, { about: `git ${c}: runs programs from config or options`, execSelf: 'runs a tool, browser or filter of its choosing' }]),
      ...['log', 'show', 'diff', 'whatchanged', 'diff-tree', 'diff-files', 'diff-index', 'range-diff'].map((c) => [c, GIT_DIFFS]),
      ...['fetch', 'pull', 'clone', 'ls-remote', 'push', 'remote'].map((c) => [c, GIT_REMOTE]),
      ...['status', 'add', 'commit', 'branch', 'checkout', 'switch', 'restore', 'reset', 'tag', 'stash', 'blame', 'rev-parse', 'rev-list', 'merge', 'cherry-pick', 'revert', 'init', 'mv', 'rm', 'ls-files', 'ls-tree', 'cat-file', 'describe', 'shortlog', 'reflog', 'worktree', 'clean', 'notes', 'am', 'apply', 'cherry', 'count-objects', 'fsck', 'gc', 'version', 'var', 'check-ignore', 'name-rev', 'merge-base', 'show-ref', 'symbolic-ref', 'for-each-ref', 'update-ref', 'hash-object', 'sparse-checkout', 'maintenance', 'prune', 'repack', 'verify-commit'].map((c) => [c, { about: `git ${c}` }]),
    ]) as Record<string, ProgramSpec>,
  },

  // ---- archives and text tools ----
  tar: {
    about: 'tar: --to-command, --checkpoint-action=exec, -I/--use-compress-program run programs; -x and -c write files (GTFOBins tar)',
    bundledFirst: true,
    shortValue: 'fCTXbgIFKLNVH',
    longValue: ['--file', '--directory', '--files-from', '--exclude-from', '--blocking-factor', '--listed-incremental', '--use-compress-program', '--info-script', '--new-volume-script', '--to-command', '--checkpoint-action', '--rsh-command', '--rmt-command', '--exclude', '--transform', '--owner', '--group', '--mode', '--format', '--label'],
    options: [
      exec(['--to-command', '--use-compress-program', '-I', '--info-script', '--new-volume-script', '-F', '--rsh-command', '--rmt-command'], 'runs PROGRAM'),
      exec(['--checkpoint-action'], 'runs a command at checkpoints', 'text', /^exec=/),
      write(['-x', '--extract', '--get'], 'writes the archive members into the file system', 'none'),
      write(['-c', '--create', '-r', '--append', '-u', '--update', '-A', '--catenate', '--concatenate', '--delete'], 'writes the archive file', 'none'),
    ],
    // Creating reads the operands (walked) and writes the archive; extracting reads it and writes into -C DIR or `.`.
    operands: [{ at: 'rest', role: 'read', if: ['-c', '--create'], recursive: true }],
    optionPaths: [
      { names: ['-f', '--file'], role: 'write', if: ['-c', '--create'] },
      { names: ['-f', '--file'], role: 'read', if: ['-x', '--extract', '--get'] },
      { names: ['-C', '--directory'], role: 'write', if: ['-x', '--extract', '--get'], recursive: true },
    ],
    implicit: [{ path: '.', role: 'write', if: ['-x', '--extract', '--get'], unless: ['-C', '--directory'], recursive: true }],
  },
  sed: {
    about: "sed: -i rewrites its files; the script's e/w/W commands and s///e, s///w run commands or write files (GTFOBins sed)",
    shortValue: 'efl',
    longValue: ['--expression', '--file', '--line-length'],
    options: [write(['-i', '--in-place'], 'rewrites its input files in place', 'attached'), exec(['-f', '--file'], 'reads a sed script from FILE, which may run commands or write files')],
    script: { language: 'sed', unless: ['-e', '--expression', '-f', '--file'], options: ['-e', '--expression'] },
    operands: [{ at: 0, role: 'text', unless: ['-e', '--expression', '-f', '--file'] }, { at: 'rest', role: 'write', if: ['-i', '--in-place'], alsoRead: true }, { at: 'rest', role: 'read' }],
  },
  sort: {
    about: 'sort: -o writes FILE, --compress-program runs a program (GTFOBins sort)',
    shortValue: 'ktoST',
    longValue: ['--key', '--field-separator', '--output', '--buffer-size', '--temporary-directory', '--compress-program', '--files0-from', '--random-source', '--batch-size', '--parallel', '--sort'],
    options: [write(['-o', '--output'], 'writes the sorted output to FILE'), exec(['--compress-program'], 'runs PROGRAM to compress temporary files'), write(['-T', '--temporary-directory'], 'writes temporary files into DIR')],
    operands: [{ at: 'rest', role: 'read' }],
  },
  rg: {
    about: 'ripgrep: --pre runs a program on every file searched (GTFOBins rg)',
    shortValue: 'efgmtTABCEjMrg',
    longValue: ['--regexp', '--file', '--glob', '--iglob', '--type', '--type-not', '--max-count', '--after-context', '--before-context', '--context', '--encoding', '--threads', '--max-columns', '--replace', '--pre', '--pre-glob', '--type-add', '--ignore-file', '--hostname-bin', '--max-depth', '--sort', '--sortr', '--color', '--colors'],
    options: [exec(['--pre', '--hostname-bin'], 'runs PROGRAM on each file (or to get the host name)')],
    operands: [{ at: 0, role: 'text', unless: ['-e', '--regexp', '-f', '--file'] }, { at: 'rest', role: 'read', recursive: true, whenNone: '.' }],
  },
  grep: { about: 'grep: reads files (no option runs a program)', shortValue: 'efmABCdD', longValue: ['--regexp', '--file', '--max-count', '--after-context', '--before-context', '--context', '--include', '--exclude', '--exclude-dir', '--color', '--label'], operands: [{ at: 0, role: 'text', unless: ['-e', '--regexp', '-f', '--file'] }, { at: 'rest', role: 'read', recursive: ['-r', '-R', '--recursive', '--dereference-recursive'], whenNone: '.' }] },
  less: {
    about: 'less: +CMD runs a less command (`!` runs a shell), -o/-O write a log file, LESSOPEN runs a program (GTFOBins less)',
    shortValue: 'bhjkoOpPtTxyz#',
    longValue: ['--log-file', '--LOG-FILE', '--tag', '--pattern', '--prompt', '--lesskey-file', '--tag-file'],
    options: [exec(['+'], 'runs less commands at start (`!` runs a shell)'), write(['-o', '-O', '--log-file', '--LOG-FILE'], 'copies the input to FILE'), exec(['-k', '--lesskey-file'], 'reads key bindings from FILE')],
    operands: [{ at: 'rest', role: 'read' }],
  },
  more: { about: 'more: +/pattern and +N are harmless; `!` inside more runs a shell (GTFOBins more)', options: [exec(['+!'], 'runs a command at start')], operands: [{ at: 'rest', role: 'read' }] },
  man: {
    about: 'man: -P/--pager and -H/--html run programs (GTFOBins man)',
    shortValue: 'CMPHpLmSseR',
    longValue: ['--config-file', '--manpath', '--pager', '--html', '--preprocessor', '--locale', '--systems', '--sections', '--extension', '--recode'],
    options: [exec(['-P', '--pager', '-H', '--html', '-p', '--preprocessor', '-C', '--config-file'], 'runs a pager, browser or preprocessor of its choosing')],
  },
  vim: {
    about: 'vim: edits (writes) its files; -c, --cmd, +CMD, -S, -u run Ex commands (`:!` runs a shell) (GTFOBins vim)',
    shortValue: 'cSuUsiwWTtqrV',
    longValue: ['--cmd', '--startuptime', '--servername', '--remote', '--remote-send'],
    options: [
      exec(['-c', '--cmd', '+', '-S', '-u', '-U', '-s', '--remote-send', '--remote-expr'], 'runs Ex commands (`:!` runs a shell)'),
      exec(['-e', '-E', '-es'], 'runs in Ex mode reading commands from input', 'none'),
      write(['-w', '-W', '-i', '--startuptime', '-V'], 'writes a script-out, viminfo or log file'),
    ],
    operands: [{ at: 'rest', role: 'write', alsoRead: true }],
  },
  nano: {
    about: 'nano: edits (writes) its files; -s/--speller runs a program (GTFOBins nano)',
    shortValue: 'CoQrsTYX',
    longValue: ['--backupdir', '--operatingdir', '--quotestr', '--fill', '--speller', '--tabsize', '--syntax', '--rcfile', '--wordchars', '--guidestripe'],
    options: [exec(['-s', '--speller', '--rcfile', '-f'], 'runs a spell checker or reads an rc file that binds commands'), write(['-C', '--backupdir', '-B', '--backup'], 'writes backup files')],
    operands: [{ at: 'rest', role: 'write', alsoRead: true }],
  },

  // ---- file writers ----
  tee: { about: 'tee: writes its input to every FILE (GTFOBins tee)', operands: [{ at: 'rest', role: 'write' }] },
  dd: {
    about: 'dd: of= writes FILE (GTFOBins dd)',
    options: [write(['of='], 'writes FILE')],
    operands: [{ at: 'rest', role: 'read', key: 'if' }],
  },
  cp: {
    about: 'cp: writes its last operand (or the -t DIRECTORY) (GTFOBins cp)',
    shortValue: 'tS',
    longValue: ['--target-directory', '--suffix', '--backup', '--reflink', '--sparse', '--preserve', '--no-preserve'],
    options: [write(['-t', '--target-directory'], 'writes into DIRECTORY')],
    operands: [{ at: 'last', role: 'write', unless: ['-t', '--target-directory'] }, { at: 'rest', role: 'read', recursive: ['-r', '-R', '-a', '--recursive', '--archive'] }],
  },
  mv: {
    about: 'mv: moves (deletes) its sources onto the last operand (or -t DIRECTORY)',
    shortValue: 'tS',
    longValue: ['--target-directory', '--suffix', '--backup'],
    options: [write(['-t', '--target-directory'], 'writes into DIRECTORY')],
    operands: [{ at: 'last', role: 'write', unless: ['-t', '--target-directory'] }, { at: 'rest', role: 'delete', alsoRead: true, recursive: true }],
  },
  install: {
    about: 'install: writes its last operand (or -t DIRECTORY); -s/--strip-program runs a program (GTFOBins install)',
    shortValue: 'gmotS',
    longValue: ['--group', '--mode', '--owner', '--target-directory', '--suffix', '--strip-program', '--backup', '--context'],
    options: [exec(['--strip-program'], 'runs PROGRAM to strip binaries'), write(['-t', '--target-directory'], 'writes into DIRECTORY')],
    operands: [{ at: 'rest', role: 'write', if: ['-d', '--directory'] }, { at: 'last', role: 'write', unless: ['-t', '--target-directory'] }, { at: 'rest', role: 'read' }],
  },
  ln: {
    about: 'ln: creates the link named by its last operand (or in -t DIRECTORY)',
    shortValue: 'tS',
    longValue: ['--target-directory', '--suffix', '--backup'],
    options: [write(['-t', '--target-directory'], 'creates links in DIRECTORY')],
    operands: [{ at: 'last', role: 'write', unless: ['-t', '--target-directory'] }, { at: 'rest', role: 'read' }],
  },
  rm: { about: 'rm: deletes its operands', operands: [{ at: 'rest', role: 'delete', recursive: ['-r', '-R', '--recursive'] }] },
  curl: {
    about: 'curl: -o/-O and friends write files; -T, -d @FILE and -F name=@FILE upload local files; -K reads options from a file (GTFOBins curl)',
    shortValue: 'oDcbdFTKuHXAeEhrwzxYyCmQtUP',
    longValue: ['--output', '--output-dir', '--dump-header', '--cookie-jar', '--cookie', '--data', '--data-binary', '--data-raw', '--data-ascii', '--data-urlencode', '--form', '--form-string', '--upload-file', '--config', '--user', '--header', '--request', '--user-agent', '--referer', '--trace', '--trace-ascii', '--stderr', '--libcurl', '--etag-save', '--etag-compare', '--hsts', '--alt-svc', '--json', '--url', '--proxy', '--max-time', '--connect-timeout', '--retry', '--write-out', '--range', '--cacert', '--cert', '--key', '--resolve', '--variable', '--url-query'],
    options: [
      write(['-o', '--output', '--output-dir', '-D', '--dump-header', '-c', '--cookie-jar', '--trace', '--trace-ascii', '--stderr', '--libcurl', '--etag-save', '--hsts', '--alt-svc'], 'writes FILE'),
      write(['-O', '--remote-name', '--remote-name-all', '-J', '--remote-header-name'], 'writes a file named by the server or the URL', 'none'),
      upload(['-T', '--upload-file'], 'uploads a local file'),
      upload(['-d', '--data', '--data-binary', '--data-ascii', '--json'], 'uploads a local file (@FILE)', /^@|=@|^[^=]*@/, /^@(.+)$/s),
      upload(['--data-urlencode'], 'uploads a local file (@FILE or name@FILE)', /^@|=@|^[^=]*@/, /^[^@]*@(.+)$/s),
      upload(['-F', '--form'], 'uploads a local file (name=@FILE or name=<FILE)', /=[@<]/, /=[@<]([^;]+)/),
      { ...exec(['-K', '--config'], 'reads options (output files, uploads) from a file'), path: WHOLE },
      { names: ['-w', '--write-out'], effect: 'write', value: 'text', when: /%output\{/, why: 'writes to a file (%output{FILE})' },
    ],
  },
  wget: {
    about: 'wget: -O/-o/-a/-P write files; --post-file uploads; -e and --config run wgetrc commands (GTFOBins wget)',
    shortValue: 'OoaPeitTwQUlAR',
    longValue: ['--output-document', '--output-file', '--append-output', '--directory-prefix', '--execute', '--input-file', '--post-file', '--body-file', '--post-data', '--config', '--user-agent', '--header', '--tries', '--timeout', '--user', '--password', '--level', '--accept', '--reject', '--use-askpass', '--method', '--body-data', '--save-cookies', '--load-cookies', '--warc-file'],
    options: [
      write(['-O', '--output-document', '-o', '--output-file', '-a', '--append-output', '-P', '--directory-prefix', '--save-cookies', '--warc-file'], 'writes FILE'),
      upload(['--post-file', '--body-file'], 'uploads a local file'),
      exec(['-e', '--execute', '--config', '--use-askpass'], 'runs wgetrc commands or a program'),
    ],
    optionPaths: [{ names: ['-i', '--input-file'], role: 'read' }],
    // Without -O the download is written to a file named after the URL.
    operands: [{ at: 'rest', role: 'write', unless: ['-O', '--output-document', '--spider'] }],
  },

  // ---- package managers and build tools ----
  npm: {
    about: 'npm: exec/x and -c run commands; --script-shell chooses the shell for scripts (GTFOBins npm)',
    optionsAnywhere: true,
    longValue: ['--prefix', '--registry', '--workspace', '--loglevel', '--cache', '--userconfig', '--globalconfig'],
    shortValue: 'w',
    options: [exec(['--script-shell', '--node-options', '--userconfig', '--globalconfig', '-c', '--call'], 'runs a program or a command line of its choosing')],
    subcommands: {
      exec: { about: 'npm exec: runs a package binary', posix: true, shortValue: 'cpw', longValue: ['--package', '--call', '--workspace'], options: [exec(['-c', '--call', '--package', '-p'], 'runs a command line or installs a package to run')], runs: { kind: 'operands', skip: 0, none: 'ok' } },
      x: { alias: 'npm exec', about: 'npm x: npm exec' },
    },
  },
  npx: {
    about: 'npx: runs a package binary, installing it if needed (GTFOBins npx)',
    posix: true,
    shortValue: 'cp',
    longValue: ['--package', '--call'],
    options: [exec(['-c', '--call', '--package', '-p'], 'runs a command line or installs a package to run')],
    runs: { kind: 'operands', skip: 0, none: 'miss' },
  },
  yarn: {
    about: 'yarn: exec/dlx run commands; an unknown first word runs a package script or binary (GTFOBins yarn)',
    subcommands: {
      exec: { about: 'yarn exec: runs a command', posix: true, runs: { kind: 'operands', skip: 0, none: 'miss' } },
      dlx: { about: 'yarn dlx: downloads and runs a package binary', posix: true, shortValue: 'p', longValue: ['--package'], options: [exec(['-p', '--package'], 'installs a package to run')], runs: { kind: 'operands', skip: 0, none: 'miss' } },
      ...Object.fromEntries(['install', 'add', 'remove', 'upgrade', 'up', 'info', 'list', 'why', 'init', 'test', 'build', 'run', 'config', 'cache', 'audit', 'outdated', 'workspace', 'workspaces', 'version', 'link', 'unlink', 'pack', 'publish', 'login', 'logout', 'set', 'plugin', 'npm', 'constraints', 'dedupe', 'explain', 'node', 'bin', 'global', 'import', 'licenses', 'owner', 'tag', 'team', 'generate-lock-entry', 'check', 'autoclean', 'help'].map((c) => [c, { about: `yarn ${c}` }])),
    },
    unknownSubcommand: { effect: 'exec', why: 'is no yarn command: yarn runs the package script or binary of that name' },
  },
  pnpm: {
    about: 'pnpm: exec/dlx/x run commands (GTFOBins pnpm)',
    subcommands: {
      exec: { about: 'pnpm exec: runs a command', posix: true, shortValue: 'c', options: [exec(['-c', '--shell-mode'], 'runs the command through a shell', 'none')], runs: { kind: 'operands', skip: 0, none: 'miss' } },
      dlx: { about: 'pnpm dlx: downloads and runs a package binary', posix: true, options: [exec(['--package'], 'installs a package to run')], longValue: ['--package'], runs: { kind: 'operands', skip: 0, none: 'miss' } },
      x: { alias: 'pnpm dlx', about: 'pnpm x: pnpm dlx' },
    },
  },
  pip: {
    about: 'pip: installing from a local path runs its setup.py; --target/--prefix/--root/--log write elsewhere (GTFOBins pip)',
    optionsAnywhere: true,
    longValue: ['--log', '--target', '--prefix', '--root', '--index-url', '--extra-index-url', '--requirement', '--constraint', '--find-links', '--src', '--cache-dir', '--dest', '--editable', '--config-settings', '--global-option', '--install-option', '--python'],
    shortValue: 'rciftde',
    options: PIP_OPTIONS,
    subcommands: {
      install: {
        about: 'pip install: a local path, archive or VCS URL runs its build code',
        shortValue: 'rciftde',
        longValue: ['--requirement', '--constraint', '--index-url', '--extra-index-url', '--find-links', '--target', '--prefix', '--root', '--src', '--editable', '--log', '--cache-dir'],
        options: PIP_OPTIONS,
        operands: [{ at: 'rest', role: 'exec', when: LOCAL_PACKAGE }],
      },
    },
  },
  make: {
    about: 'make: runs the recipes of the Makefile; -f/-C/--eval and VAR=value operands change what runs (GTFOBins make)',
    shortValue: 'CfIjlEoWO',
    longValue: ['--directory', '--file', '--makefile', '--include-dir', '--jobs', '--load-average', '--eval', '--old-file', '--what-if', '--assume-old', '--assume-new', '--output-sync'],
    options: [exec(['-f', '--file', '--makefile', '-C', '--directory', '-I', '--include-dir', '-E', '--eval'], 'runs recipes from another makefile or inline text')],
    operands: [{ at: 'rest', role: 'exec', when: /^[A-Za-z_][A-Za-z0-9_.]*\s*[:+?!]?=/ }],
  },

  // ---- programs that only read, write or delete the files they are given (for path rules; no option runs) ----
  ...Object.fromEntries(
    ['cat', 'tac', 'nl', 'bat', 'batcat', 'strings', 'xxd', 'od', 'hexdump', 'base64', 'base32', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'cksum', 'wc', 'uniq', 'file', 'stat', 'diff', 'cmp', 'comm', 'zcat', 'bzcat', 'xzcat', 'zless', 'unshadow', 'iconv', 'fold', 'fmt', 'paste', 'column', 'expand', 'rev', 'source', '.', 'unzip', 'gunzip', 'xclip', 'lp', 'split', 'csplit', 'pr', 'look', 'crontab'].map((n) => [n, { about: `${n}: reads the files it is given`, operands: READS, ...(n === 'crontab' ? { shortValue: 'u' } : {}) }]),
  ),
  head: { about: 'head: reads the files it is given', shortValue: 'nc', operands: READS },
  tail: { about: 'tail: reads the files it is given', shortValue: 'nc', operands: READS },
  cut: { about: 'cut: reads the files it is given', shortValue: 'dfc', operands: READS },
  ...Object.fromEntries(['emacs', 'ed', 'pico'].map((n) => [n, { about: `${n}: edits (reads and writes) its files`, operands: [{ at: 'rest', role: 'write', alsoRead: true, pathOnly: true }] }])),
  // Inline program text first (unless -f names a file), then the files it reads.
  ...Object.fromEntries(['awk', 'gawk', 'mawk', 'nawk', 'jq'].map((n) => [n, { about: `${n}: reads the files after its program text`, shortValue: 'f', operands: [{ at: 0, role: 'text', unless: ['-f', '--from-file'] }, ...READS] }])),
  yq: { about: 'yq: reads the files after its expression', operands: [{ at: 0, role: 'text' }, ...READS] },
  ...Object.fromEntries(['ag', 'ack'].map((n) => [n, { about: `${n}: searches the trees it is given (\`.\` when none)`, shortValue: 'f', operands: [{ at: 0, role: 'text' }, { at: 'rest', role: 'read', recursive: true, whenNone: '.' }] }])),
  sqlite3: { about: 'sqlite3: opens the database file it is given', shortValue: 'f', operands: [{ at: 0, role: 'read' }] },
  ...Object.fromEntries(['rmdir', 'unlink', 'shred'].map((n) => [n, { about: `${n}: deletes the files it is given`, ...(n === 'shred' ? { shortValue: 'ns' } : {}), operands: [{ at: 'rest', role: 'delete', pathOnly: true }] }])),
  ...Object.fromEntries(
    [['touch', 'dtr'], ['mkdir', 'm'], ['truncate', 'sr'], ['mkfifo', 'm']].map(([n, v]) => [n!, { about: `${n}: creates or changes the files it is given`, shortValue: v, operands: [{ at: 'rest', role: 'write', pathOnly: true }] }]),
  ),
  // The mode, owner or ACL first, then the files it changes.
  ...Object.fromEntries(['chmod', 'chown', 'chgrp', 'setfacl', 'chattr'].map((n) => [n, { about: `${n}: changes the files after its first operand`, operands: [{ at: 0, role: 'text' }, { at: 'rest', role: 'write', pathOnly: true, recursive: ['-R', '--recursive'] }] }])),
  zip: { about: 'zip: writes the archive (first operand) from the files after it', shortValue: 'bn', operands: [{ at: 0, role: 'write', pathOnly: true }, { at: 'rest', role: 'read', recursive: ['-r', '--recurse-paths'] }] },
  socat: { about: 'socat: FILE:, OPEN:, GOPEN: and CREATE: addresses name local files', operands: [{ at: 'rest', role: 'read', when: /^(FILE|OPEN|GOPEN|CREATE):/i, pathIn: /^[^:]+:([^,]+)/ }] },
  at: { about: 'at: -f reads the commands to schedule from FILE', shortValue: 'fqt', optionPaths: [{ names: ['-f'], role: 'read' }] },
};

/** Command names that read the same entry (GNU tools installed with a g prefix, vi, view). */
export const PROGRAM_ALIASES: Record<string, string> = { gsort: 'sort', gsed: 'sed', gtar: 'tar', bsdtar: 'tar', vi: 'vim', nvim: 'vim', view: 'vim', vimdiff: 'vim', rvim: 'vim', ggrep: 'grep', egrep: 'grep', fgrep: 'grep', pip3: 'pip', gfind: 'find', gxargs: 'xargs', gmake: 'make', pager: 'less' };

/** A word that is a number of seconds (minutes, hours, days): timeout's DURATION. */
const DURATION = /^\d+(\.\d+)?[smhd]?$/;

/**
 * Programs that run the rest of their argv (law 4), read by commandView's unwrap: which options they
 * take, where the command starts, which options carry a command line. From each program's manual
 * (coreutils env/nice/nohup/timeout/stdbuf, bash's command/exec/eval/time, sudo(8), doas(1), su(1)).
 */
export const WRAPPERS: Record<string, WrapperSpec> = {
  env: { about: 'env: runs a command with NAME=value set; -S splits a string into a command line', kind: 'transparent', assignments: true, otherOptions: 'env with options is not a transparent wrapper', commandOptions: { names: ['-S', '--split-string'], how: 'env -S', rest: true } },
  nice: { about: 'nice: runs a command at another priority', kind: 'transparent', shortValue: 'n', longValue: ['--adjustment'], firstOption: /^-\d+$/ },
  nohup: { about: 'nohup: runs a command immune to hangups', kind: 'transparent' },
  timeout: { about: 'timeout: runs a command for at most DURATION', kind: 'transparent', shortValue: 'sk', longValue: ['--signal', '--kill-after'], flags: 'v', longFlags: ['--preserve-status', '--foreground', '--verbose'], leading: { re: DURATION, what: 'duration' } },
  time: { about: 'time: runs a command and reports its times', kind: 'transparent', flags: 'p', otherOptions: 'time with options other than -p (GNU time -o writes a file)' },
  stdbuf: { about: 'stdbuf: runs a command with other stream buffering', kind: 'transparent', shortValue: 'ioe', longValue: ['--input', '--output', '--error'] },
  command: { about: 'command: runs a command, skipping shell functions; -v/-V only look a name up', kind: 'transparent', flags: 'pvV', lookup: 'vV' },
  exec: { about: 'exec: replaces the shell with a command', kind: 'transparent', otherOptions: 'exec with options (-a/-c/-l change what runs)' },
  sudo: {
    about: 'sudo: runs a command as another user (GTFOBins sudo)',
    kind: 'privileged',
    shortValue: 'ugCDhprtUTR',
    longValue: ['--user', '--group', '--close-from', '--chdir', '--host', '--prompt', '--role', '--type', '--other-user', '--command-timeout', '--chroot'],
    flags: 'AbEHiKklnPSsVvB',
    longFlags: ['--askpass', '--background', '--preserve-env', '--set-home', '--login', '--remove-timestamp', '--reset-timestamp', '--list', '--non-interactive', '--preserve-groups', '--stdin', '--shell', '--validate', '--bell'],
    never: { names: ['-e', '--edit'], why: 'edits files as root' },
  },
  doas: { about: 'doas: runs a command as another user', kind: 'privileged', shortValue: 'uC', flags: 'nsL' },
  pkexec: { about: 'pkexec: runs a command as another user (polkit)', kind: 'privileged', longValue: ['--user'], longFlags: ['--disable-internal-agent', '--keep-cwd'] },
  su: { about: 'su: runs a shell as another user; -c runs a command line', kind: 'privileged', noCommand: true, commandOptions: { names: ['-c', '--command'], anywhere: true } },
  runuser: { about: 'runuser: runs a shell as another user; -c runs a command line', kind: 'privileged', noCommand: true, commandOptions: { names: ['-c', '--command'], anywhere: true } },
  eval: { about: 'eval: runs its words as a command line', kind: 'privileged', scriptOperands: true },
};
