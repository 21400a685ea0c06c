// Builders for access-log lines used by the monitor tests.
export function combinedLine(opts: { ip?: string; method?: string; uri: string; status?: number; ua?: string; time?: string }): string {
  const { ip = '198.51.100.7', method = 'GET', uri, status = 200, ua = 'Mozilla/5.0 (X11; Linux x86_64)', time = '22/Nov/2026:09:00:00 +0000' } = opts;
  return `${ip} - - [${time}] "${method} ${uri} HTTP/1.1" ${status} 512 "-" "${ua}"`;
}

/** CLF time for second `s` after 09:00:00 on the test day. */
export function clfTime(s: number): string {
  const hh = 9 + Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const p = (n: number) => String(n).padStart(2, '0');
  return `22/Nov/2026:${p(hh)}:${p(mm)}:${p(ss)} +0000`;
}
