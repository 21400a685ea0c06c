// Signatures for attacks visible in a request line, written against the normalised text
// (requestNormalize.ts: decoded, comments and whitespace folded, lower case). They are RE2 syntax
// and run through re2js, so no input can make them backtrack. Each is one idea, named for reports.

export type AttackCheck = 'sqli' | 'xss' | 'path_traversal' | 'sensitive_file' | 'command_injection';

export interface Signature {
  check: AttackCheck;
  name: string;
  pattern: string;
}

const SQL_FUNCS =
  'sleep|benchmark|pg_sleep|extractvalue|updatexml|load_file|group_concat|concat_ws|concat|char|chr|' +
  'ascii|substring|substr|unhex|lo_get|lo_import|' +
  'unistr|json_extract|json_keys|starts_with|cast|convert|ifnull|nullif|coalesce|isnull|md5|sha1|' +
  'row_count|found_rows|name_const|make_set|dbms_pipe\\.receive_message|' +
  'utl_inaddr\\.get_host_address|utl_http\\.request|ctxsys\\.drithsx\\.sn|xmltype|pg_read_file|' +
  'current_setting|query_to_xml|sqlite_version|randomblob|load_extension|gtid_subset|st_latfromgeohash';

// Unix and Windows commands an injected shell line typically starts with.
const COMMANDS =
  'cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|csh|dash|python[23]?|perl|ruby|php|node|lua|' +
  'nslookup|dig|ping|echo|rm|chmod|chown|certutil|powershell|pwsh|cmd|net|ipconfig|ifconfig|sleep|touch|base64|' +
  'env|printf|awk|sed|telnet|xterm|mkfifo|busybox|tftp|ftp|scp|ssh|socat|crontab|nohup|kill|pkill|reboot|' +
  'shutdown|systemctl|useradd|passwd|head|tail|more|less|find|grep|xargs|tee|dd|tar|gzip|wmic|bitsadmin|mshta|' +
  'rundll32|regsvr32|cscript|wscript|hostname|ps|netstat|sudo';

// What follows `OR`/`AND` in an injected condition: a comparison of literals, a function, a
// sub-select, a boolean literal. Plain English ("7 and a half", "cost > 5 and time") does not fit.
const SQL_TAIL =
  `(not )?\\(* ?(\\d+(\\.\\d+)? ?([=<>!]|--|#|;|\\)| (and|or|xor|like|is|between|limit|order|group|union)\\b)|` +
  `'[^']{0,30}' ?([=<>!]|like\\b)|"[^"]{0,30}" ?([=<>!]|like\\b)|(true|false|null)\\b|select\\b|exists\\b|` +
  `(${SQL_FUNCS}) ?\\(|if ?\\(|case\\b|[a-z_.\`]+ ?(=|<>|!=|<=|>=|<|>|\\blike\\b|\\bglob\\b|\\bregexp\\b|\\bis (not )?null\\b|\\bin ?\\(|\\bbetween\\b)|@@?[a-z]|0x[0-9a-f]|[-+~!]\\d)`;

export const SIGNATURES: Signature[] = [
  // --- SQL injection
  { check: 'sqli', name: 'union select', pattern: `\\bunion\\b( (all|distinct))? ?\\(? ?select\\b` },
  { check: 'sqli', name: 'select from', pattern: `\\bselect\\b[^;]{1,200}\\bfrom\\b[^a-z]{0,3}[a-z_@\`"\\[(]` },
  { check: 'sqli', name: 'select expression', pattern: `\\bselect ?(\\(|@@|\\d|\\*|null\\b|case\\b|if ?\\(|(${SQL_FUNCS}) ?\\(|top \\d|distinct\\b)` },
  { check: 'sqli', name: 'sql statement', pattern: `\\b(insert into|delete from|drop (table|database|schema|function|procedure)|truncate table|alter table|create (table|database|function|user)|update [a-z_.\`"\\[\\]]+ set|replace ?\\(?[a-z_]* ?\\([a-z_, ]*\\) values|exec(ute)? (xp_|sp_|master\\.|immediate)|declare @|shutdown with nowait)\\b` },
  { check: 'sqli', name: 'sql function', pattern: `\\b(${SQL_FUNCS}) ?\\(|\\b(user|database|version|schema|current_user|session_user|system_user|connection_id|last_insert_id) ?\\( ?\\)` },
  { check: 'sqli', name: 'sql time delay', pattern: `\\bwaitfor (delay|time)\\b` },
  { check: 'sqli', name: 'schema probing', pattern: `\\b(information_schema|sysobjects|syscolumns|sys\\.tables|pg_catalog|pg_shadow|mysql\\.user|sqlite_master|all_tables|user_tables|msysaccessobjects)\\b|@@(version|datadir|hostname|basedir|servername|identity)` },
  { check: 'sqli', name: 'quote then condition', pattern: `['"\`]\\)* ?(\\b(or|and|xor|div|having|where|mod)\\b|\\|\\||&&) ?${SQL_TAIL}` },
  { check: 'sqli', name: 'quote then clause', pattern: `['"\`](\\)+ ?| )\\b(union|order by|group by|procedure|limit \\d|into (outfile|dumpfile|@)|is (not )?null|(like|rlike|regexp|glob) ?['"(\\d%]|between \\d|collate|sounds like)|['"\`] ?(=|<>|!=|<=|>=) ?['"\\d(]|['"] ?\\|\\| ?['"]|::[a-z]` },
  { check: 'sqli', name: 'quote then comment', pattern: `['"\`]\\)* ?(--[ -]?|#|/\\*|;) ?($|&)` },
  { check: 'sqli', name: 'boolean test', pattern: `(\\b(or|and|xor)\\b|\\|\\||&&) ?(not )?\\(* ?(\\d+|'[^']{0,30}'|"[^"]{0,30}") ?(=|<>|!=|<=|>=|<|>|\\blike\\b|\\brlike\\b|\\bregexp\\b|\\bis\\b|\\bin ?\\(|\\bbetween\\b)` },
  { check: 'sqli', name: 'boolean literal test', pattern: `(\\b(or|and|xor)|\\|\\||&&) ?(not )?\\(? ?((true|false|null|exists|select|sleep|benchmark)\\b ?(\\)|--|#|;|$|[=<>!]|(and|or|is|like|limit|order|group|union)\\b)|\\d+ ?(\\)|--|#|;|[=<>!]))` },
  { check: 'sqli', name: 'numeric then condition', pattern: `(^|[=/])-?\\d+(\\.\\d+)?['")]* ?(\\b(or|and|xor|having|div|like|rlike)\\b|\\|\\||&&) ?${SQL_TAIL}` },
  { check: 'sqli', name: 'numeric then clause', pattern: `(^|[=/])-?\\d+(\\.\\d+)?['")]* ?\\b(union|order by|group by|procedure|limit \\d|into (outfile|dumpfile|@))` },
  { check: 'sqli', name: 'order or group by', pattern: `\\b(order|group) by ?(\\d|\\(|if\\b|case\\b|[a-z_]+ ?(--|#|,|\\b(asc|desc|having|limit)\\b))|\\bhaving \\(?\\d+ ?[=<>]|\\bhaving (count|sum|min|max) ?\\(` },
  { check: 'sqli', name: 'stacked query', pattern: `; ?(select|insert|update|delete|drop|declare|exec|execute|shutdown|create|alter|truncate|waitfor)\\b|; ?set @` },
  { check: 'sqli', name: 'case when', pattern: `\\bcase( [a-z0-9_()]+)? when\\b|\\bwhen [^ ]{1,40} then\\b` },
  { check: 'sqli', name: 'postgres cast or json op', pattern: `::(int|integer|bigint|smallint|text|bool|boolean|json|jsonb|varchar|numeric|regclass|oid|xml)\\b|['")] ?(@>|<@|#>>?|->>?|\\?\\||\\?&|@\\?|@@)` },
  { check: 'sqli', name: 'nosql operator', pattern: `\\[\\$(ne|gt|gte|lt|lte|regex|where|eq|nin|in|exists|or|and|not|expr)\\]|\\{ ?"?\\$(ne|gt|lt|regex|where|or)"? ?:` },
  { check: 'sqli', name: 'hex literal payload', pattern: `\\b0x[0-9a-f]{2,}\\b ?[,)]|\\b(char|chr)\\(\\d+(, ?\\d+)+\\)` },
  { check: 'sqli', name: 'values tuple', pattern: `\\b(except|intersect) (values|select)\\b|\\bvalues ?\\( ?['"\\d]` },
  { check: 'sqli', name: 'dangling paren logic', pattern: `(^|[=/])\\) ?(like|or|and|xor)\\b ?\\(` },

  // --- Cross-site scripting
  { check: 'xss', name: 'script-capable tag', pattern: `<\\s?/?\\s?(script|iframe|frame|frameset|object|embed|applet|svg|math|body|style|link|meta|base|form|isindex|xss|import|template|html|animate|set|bgsound|layer|ilayer|xml|plaintext|xmp|noscript|handler|listener|[a-z]+ ?: ?(script|svg|iframe)|import ?implementation)\\b` },
  { check: 'xss', name: 'tag with handler', pattern: `<[a-z!?/][^>]{0,200}[ "'/]on[a-z]{3,} ?=|<!--|<!\\[cdata\\[|<\\? ?(xml|import)|<!(doctype|entity)|<['"] ?on[a-z]{3,}` },
  { check: 'xss', name: 'tag with style or data binding', pattern: `<[a-z]+[^>]{0,200}\\b(style ?= ?['"]?[^>]{0,80}[:}]|datasrc ?=|datafld ?=|dataformatas ?=)|<[a-z]( [a-z]){2,}\\b|\\+adw-|\\+ad4-` },
  { check: 'xss', name: 'event handler', pattern: `(^|[ "'/;><\`?])on[a-z]{4,} ?= ?([^ &]|$)` },
  { check: 'xss', name: 'script uri', pattern: `\\b(java|vb|live|mocha|ecma)script ?:|\\bdata ?: ?[a-z]*/?[a-z+]*( ?; ?[a-z0-9=-]+)* ?,` },
  { check: 'xss', name: 'script call', pattern: `\\b(alert|prompt|confirm|eval|settimeout|setinterval|atob|btoa|fromcharcode|execscript|msgbox|unescape)\\b ?(\\(|\`)|\\bnew function\\b` },
  { check: 'xss', name: 'dom access', pattern: `\\b(document|window|top|self|parent|globalthis|frames|opener)\\b ?(\\[|\\. ?(cookie|write|writeln|location|domain|open|name|body|head|forms|createelement|localstorage|sessionstorage|eval|alert)\\b)` },
  { check: 'xss', name: 'js gadget', pattern: `\\.(call|apply|bind|map|sort|filter|constructor|__proto__|prototype) ?(\\(|\`)|\\bconstructor\\b ?\\(|\\breflect\\b ?\\.|\`[^\`]*\\$\\{|\\$\\{ ?(alert|eval|prompt|confirm)|\\bin valueof\\b` },
  { check: 'xss', name: 'css script', pattern: `\\bexpression ?\\(|url ?\\( ?['"]? ?(java|vb)script|-moz-binding|\\bbehavior ?:|@import\\b|\\bstyle ?= ?[^&]{0,80}(expression|url ?\\(|javascript)` },
  { check: 'xss', name: 'dangerous attribute', pattern: `\\b(srcdoc|formaction|xlink:href|background|dynsrc|lowsrc|poster|action|href|src) ?= ?['"]? ?(java|vb)script|\\b(srcdoc|formaction) ?=|\\bxmlns(:[a-z]+)? ?= ?['"]?http` },

  // --- Path traversal
  { check: 'path_traversal', name: 'dot-dot segment', pattern: `(^|[/\\\\=:;,?&]|\\s)\\.{2,}[/\\\\]|[/\\\\]\\.{2,}($|[/\\\\?;&#])|\\.{3,}[/\\\\]` },
  { check: 'path_traversal', name: 'encoded dot-dot', pattern: `0x2e ?\\.|\\x{c0}\\x{ae}|\\x{c0}\\x{af}|\\x{c1}\\x{9c}|%c0%ae|%252e|%uff0e|\\x{ff0e}\\x{ff0e}` },
  { check: 'path_traversal', name: 'file scheme or root', pattern: `\\bfile:/{2,3}|^/?@fs/|[=:]/(etc|proc|sys|var|root|home|usr|boot|dev)/|[=:][a-z]:[\\\\/]` },

  // --- Command injection
  { check: 'command_injection', name: 'separator then command', pattern: `([;|\\n]|\\$\\(|\\|\\||&&) ?(${COMMANDS})\\b` },
  { check: 'command_injection', name: 'command substitution', pattern: `\\$\\( ?[a-z]|\\$\\(\\(|\` ?(${COMMANDS})\\b[^\`]*\`|\\$\\{ ?(ifs|path|home|shell|user|pwd|#|@|[a-z_]+:[-=?+])|\\$\\[|\\$ifs\\b|> ?/(tmp|dev|etc|var|root|home)/` },
  { check: 'command_injection', name: 'brace expansion', pattern: `\\{[a-z/?*.$]*, ?[a-z/?*#.$ -]*\\}|\\{ ?,[a-z]` },
  { check: 'command_injection', name: 'shell path', pattern: `(^|[^a-z])/(bin|usr/bin|usr/local/bin|sbin)/(sh|bash|zsh|dash|ksh|nc|ncat|wget|curl|python[23]?|perl|busybox|cat|id)\\b|\\bcmd(\\.exe)? ?/[ck]\\b|\\bpowershell(\\.exe)?\\b|\\| ?(sh|bash|zsh|python[23]?|perl)\\b|\\b(sh|bash|zsh) -[ci]\\b` },
  { check: 'command_injection', name: 'command with path argument', pattern: `(^|[=;|\\s])(cat|ls|wget|curl|nc|bash|sh|python[23]?|perl|chmod|rm|tail|head|more|less|type|ping|nslookup)( -[a-z]+)* ([/~]|\\.\\./|https?:|\\d+\\.\\d+\\.\\d+\\.\\d+|[a-z]:\\\\)` },
  { check: 'command_injection', name: 'windows batch', pattern: `\\bfor( /[a-z]( "[^"]*")?)* %%?[a-z~]+ in ?\\(|\\bif( /i)?( not)? (exist|defined|errorlevel|%|\\[|"%)|%[a-z_]{2,}%|\\b(set|echo) %|\\bcertutil\\b|\\bbitsadmin\\b` },
  { check: 'command_injection', name: 'template or expression injection', pattern: `\\$\\{ ?(jndi|env|sys|lower|upper|java|script|ctx|date|main|bundle|k8s|docker|log4j|spring)\\b|\\{\\{ ?[^}]{0,60}(__class__|__globals__|config|self|request|lipsum|cycler|joiner|namespace|\\*)|<%=?|#\\{|\\bruntime\\.getruntime\\b|\\bprocessbuilder\\b` },
  { check: 'command_injection', name: 'quoted command', pattern: `(^|[=;|\\s])['"][a-z]['"][a-z]{2,}` },
];

/**
 * Files and folders nobody should fetch over HTTP: OS files, restricted server files, and the
 * folders where agents and developer tools keep keys, settings and memory. Matched as literals.
 */
export const SENSITIVE_PATHS: string[] = [
  // OS files
  '/etc/passwd', '/etc/shadow', '/etc/group', '/etc/hosts', '/etc/issue', '/etc/subuid', '/etc/subgid',
  '/etc/sudoers', '/etc/crontab', '/etc/fstab', '/etc/resolv.conf', '/etc/hostname', '/etc/os-release',
  '/etc/ssh/', '/etc/mysql/', '/etc/nginx/', '/etc/apache2/', '/etc/httpd/', '/etc/kubernetes/',
  '/proc/self', '/proc/version', '/proc/cpuinfo', '/proc/meminfo', '/proc/interrupts', '/proc/mounts',
  '/proc/net/', '/proc/1/', '/proc/sched_debug', '/sys/class', '/sys/kernel', '/sys/devices', '/sys/power',
  '/dev/tcp/', '/dev/udp/', '/var/log/', '/var/run/secrets', '/root/', 'win.ini', 'boot.ini', 'system.ini',
  'windows/system32', 'windows\\system32', 'winnt/', 'c:\\windows', 'c:/windows', 'autoexec.bat',
  // restricted server and application files
  '.htaccess', '.htpasswd', 'web.config', 'wp-config', '/wp-content/debug.log', 'debug.log', 'error.log',
  'errors.log', 'access.log', '.bash_history', '.zsh_history', '.history', '.mysql_history',
  '.psql_history', '.viminfo', '.npmrc', '.pypirc', '.netrc', '.pgpass', '.dockercfg', '.git-credentials',
  '.gitconfig', '.ds_store', 'backup.sql', 'dump.sql', 'database.sql', '.sql.zip', '.sql.gz', '.sql.bz2',
  '.sqlite', '.db.bak', 'id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'authorized_keys', 'known_hosts',
  'credentials.json', 'service-account.json', 'secrets.yaml', 'secrets.yml', 'secrets.json',
  'docker-compose.yml', 'terraform.tfstate', '.tfvars', 'phpinfo.php', 'server-status', 'server-info',
  '/actuator/env', '/actuator/heapdump', 'composer.json', 'config.php.bak', '.php.bak', '.php~', '.swp',
  // folders of keys, clouds, VCS, and agents
  '/.env', '.env.', '.ssh/', '/.ssh', '.aws/', '/.aws', '.azure/', '.gcloud/', '.config/gcloud', '.kube/',
  '.docker/', '.gnupg', '.git/', '/.git', '.svn/', '/.svn', '.hg/', '/.hg', '.bzr/', '/cvs/',
  '.claude', '.openclaw', '.cursor', '.aider', '.continue/', '.windsurf', '.codeium', '.roo/', '.roocode',
  '.kiro/', '.zed/', '.plandex', '.fabric/', '.opencode', '.rovodev', '.gemini/', '.codex/', '.copilot',
  '.goose/', '.cline', '.a0proj', '.aiignore', '.junie/', '.n8n/', '.openhands', '.devin', '.tabnine', '.sourcegraph', '/@id/', '.amazonq', '.vscode/', '.idea/', 'mcp.json', 'claude.md', 'agents.md', 'soul.md',
  'genesis.md', '.clinerules', '.cursorrules', '.cursorignore', '.aiderignore',
];

/** Agents that announce themselves as scanners or attack tools. Matched as lower-case substrings. */
export const SCANNER_AGENTS: string[] = [
  'sqlmap', 'nikto', 'nmap', 'masscan', 'zgrab', 'nuclei', 'wpscan', 'dirbuster', 'gobuster', 'dirb/',
  'ffuf', 'feroxbuster', 'wfuzz', 'acunetix', 'nessus', 'openvas', 'w3af', 'havij', 'hydra', 'jaeles',
  'zmeu', 'morfeus', 'netsparker', 'appscan', 'burpcollaborator', 'burp suite', 'qualys', 'arachni',
  'skipfish', 'whatweb', 'commix', 'xsstrike', 'dalfox', 'joomscan', 'droopescan', 'zap/', 'owasp zap',
  'httpx - open-source', 'interactsh', 'censysinspect', 'l9explore', 'leakix', 'fuzz faster u fool',
  'paros', 'webinspect', 'vega/', 'grabber', 'sqlninja', 'bsqlbf', 'pangolin', 'x-scan', 'dotdotpwn',
];
