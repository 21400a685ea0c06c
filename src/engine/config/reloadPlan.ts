// What a reload changes (docs/configuration.md, Reload: "configuration means what it says"): every key that differs
// between the running config and the file, and for each whether the engine re-applies it now or only
// at the next start. A section not listed in LIVE is restart-only, so a new section is never silently
// claimed to be live.
import type { Config } from './config.js';

/** Dotted key prefixes the engine re-applies on reload (each has a service `reconfigure`). */
export const LIVE_KEYS = ['budget', 'logging.level', 'firewall.policy_file', 'approval', 'notify', 'assistant', 'monitor', 'fleet'] as const;

export interface ReloadPlan {
  /** Every changed key, dotted (`notify.slack_webhook_url`, `api.port`). */
  changed: string[];
  /** Changed keys the engine applies now. */
  applied: string[];
  /** Changed keys that keep their running value until the next start. */
  restart_required: string[];
  /** Top-level sections with a live change, for the services to reconfigure. */
  sections: Set<string>;
}

function diffKeys(a: unknown, b: unknown, path: string, out: string[]): void {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffKeys(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path || '(top level)');
}

export function isLiveKey(key: string): boolean {
  return LIVE_KEYS.some((p) => key === p || key.startsWith(`${p}.`));
}

export function planReload(running: Config, next: Config): ReloadPlan {
  const changed: string[] = [];
  diffKeys(running, next, '', changed);
  const applied = changed.filter(isLiveKey);
  const restart_required = changed.filter((k) => !isLiveKey(k));
  return { changed, applied, restart_required, sections: new Set(applied.map((k) => k.split('.')[0]!)) };
}
