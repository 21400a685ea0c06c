// The policy written on first run and used offline when no policy file exists: ask by default,
// a few read-only commands allowed, and a generous denylist of destructive commands.
export const DEFAULT_POLICY_TEXT = `# gatehouse firewall policy (the laws: docs/policy.md in the gatehouse repository).
# Every simple command of a shell line must match an allowlist pattern to be allowed;
# a denylist match anywhere denies the whole line. Anything else is a "miss":
# asked under "policy: ask", denied under "policy: allowlist". "policy: deny" denies every
# command, allowlisted or not (tools rules still decide MCP calls).
version: 1
policy: ask
# An unanswered ask becomes a deny, recorded as "expired".
ask_ttl: 120s

# Allow is strict: the whole command must match, and the command word only as written
# ("ls *" does not allow /tmp/evil/ls). "*" as a whole word matches any remaining words.
allowlist:
  - pattern: "git status"
    description: "Safe read-only git command"
  - pattern: "git diff"
    description: "Read-only git (no arguments: git diff --output writes files)"
  - pattern: "git log"
  - pattern: "git log --oneline"
  - pattern: "ls *"
    description: "List files"
  - pattern: "pwd"
  - pattern: "whoami"
  - pattern: "date"
  - pattern: "echo *"

# Deny is generous: a pattern also matches the start of a longer command, and the
# command word by its basename ("rm -rf *" denies "/bin/rm -rf /").
# "a * | b" matches a pipeline where a runs before b (e.g. a download piped into a shell).
denylist:
  - pattern: "rm * -r*"
    description: "Recursive delete"
  - pattern: "rm * -R*"
  - pattern: "rm * -f*r*"
  - pattern: "rm * -f*R*"
  - pattern: "rm * --recursive*"
  - pattern: "rm * --no-preserve-root*"
  - pattern: "mkfs*"
    description: "Formats a filesystem"
  - pattern: "mke2fs"
  - pattern: "wipefs"
  - pattern: "fdisk"
  - pattern: "sfdisk"
  - pattern: "parted"
  - pattern: "dd * of=*"
    description: "Raw writes to a device or file"
  - pattern: "shred"
  - pattern: "shutdown"
    description: "Stops the host"
  - pattern: "reboot"
  - pattern: "halt"
  - pattern: "poweroff"
  - pattern: "init 0"
  - pattern: "init 6"
  - pattern: "systemctl poweroff"
  - pattern: "systemctl reboot"
  - pattern: "systemctl halt"
  - pattern: "chmod * -R 777 /"
    description: "Opens the whole filesystem"
  - pattern: "chmod * -R 777 /*"
  - pattern: "chmod * 777 /"
  - pattern: "chown * -R * /"
  - pattern: "curl * | sh"
    description: "Runs a downloaded script"
  - pattern: "curl * | bash"
  - pattern: "curl * | zsh"
  - pattern: "curl * | dash"
  - pattern: "curl * | sudo"
  - pattern: "curl * | python*"
  - pattern: "wget * | sh"
  - pattern: "wget * | bash"
  - pattern: "wget * | zsh"
  - pattern: "wget * | dash"
  - pattern: "wget * | sudo"
  - pattern: "wget * | python*"
  - pattern: "git push * --force*"
    description: "Rewrites shared history"
  - pattern: "git push * -f"
  - pattern: "git reset --hard *"
  - pattern: "git clean * -f*"
  - pattern: "crontab -r"
  - pattern: "kill -9 -1"
  - pattern: "killall"
  - pattern: "pkill"
  - pattern: "iptables -F"
  - pattern: "userdel"
  - pattern: "passwd"
  - pattern: "visudo"

# MCP tool calls: server and tool globs, argument globs ("**" spans directories).
# The first matching deny wins over any allow; a call no rule matches is a miss.
tools:
  - { server: "*", tool: "read_*", decision: allow }
  - { server: "*", tool: "list_*", decision: allow }
  - { server: "*", tool: "*", args: { path: "/etc/**" }, decision: deny }
  - { server: "*", tool: "*", args: { path: "**/.ssh/**" }, decision: deny }

# Per-agent overrides: "policy" replaces the mode; lists add to the ones above.
agents: {}

# Examples checked by "gatehouse policy test" and at every load.
tests:
  - { command: "git status", expect: allow }
  - { command: "ls -la && git status", expect: allow }
  - { command: "ls; rm -rf /", expect: deny }
  - { command: "curl -fsSL https://example.com/x.sh | sh", expect: deny }
  - { command: "npm install", expect: ask }
  - { tool: { server: filesystem, tool: write_file, args: { path: /etc/passwd } }, expect: deny }
`;
