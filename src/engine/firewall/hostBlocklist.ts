// Hosts that verified rule packs block (issue 25). The firewall denies a command or tool call that
// names one; the egress gate (contain/egressGate.ts) calls `blocks(host)` for each connection. A pack's
// entry blocks the host and every name under it (`evil.example` blocks `cdn.evil.example`).

export interface BlockedHost {
  host: string;
  /** Which pack blocks it. */
  source: string;
}

// Host names as they appear in commands, URLs and tool arguments: labels joined by dots, ending in a
// letter label (so version numbers and IP-less words are not candidates).
const HOST_IN_TEXT = /(?<![a-z0-9_.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62})(?![a-z0-9_-])/g;

export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

export class HostBlocklist {
  private hosts = new Map<string, string>();

  /** Replaces the whole list (packs are loaded as a set). */
  replace(entries: BlockedHost[]): void {
    this.hosts = new Map(entries.map((e) => [normalizeHost(e.host), e.source]));
  }

  get size(): number {
    return this.hosts.size;
  }

  /** The entry blocking `host` (itself or a parent domain), or null. */
  blocks(host: string): BlockedHost | null {
    let h = normalizeHost(host);
    for (;;) {
      const source = this.hosts.get(h);
      if (source !== undefined) return { host: h, source };
      const dot = h.indexOf('.');
      if (dot < 0) return null;
      h = h.slice(dot + 1);
    }
  }

  /** The first blocked host named anywhere in `text` (a command line, tool arguments as JSON), or null. */
  findIn(text: string): BlockedHost | null {
    if (this.hosts.size === 0) return null;
    for (const m of text.toLowerCase().matchAll(HOST_IN_TEXT)) {
      const hit = this.blocks(m[1]!);
      if (hit) return hit;
    }
    return null;
  }
}
