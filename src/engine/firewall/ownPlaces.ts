// gatehouse's own places (law 10): the one list both layers of self-protection read. The command and
// MCP-argument rules (selfProtection.ts) deny a text that names one of these roots; the path rules
// (pathRules.ts) deny a path under one of them. "Touches gatehouse" means the same in both.
import { homedir } from 'node:os';
import { dirname, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configHome, resolveStateDir } from '../store/stateDir.js';

export interface ProtectedPlaces {
  stateDir: string;
  /** The config directory (config.yaml, policy.yaml by default). */
  configDir: string;
  /** A config file given with --config, wherever it is (the file, not its directory). */
  configFile?: string | null;
  policyPath: string;
  /** Where gatehouse itself is installed (installedRoot(): null in a development checkout). */
  installDir?: string | null;
  /** The engine's pid (killing it is disarming the guard). */
  enginePid?: number | null;
}

/** gatehouse's package root, from where this file is loaded (dist/engine/firewall or src/engine/firewall: three levels up). */
export function installRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** The package root when gatehouse is installed (under node_modules or a system prefix); a development checkout is a workspace: null. */
export function installedRoot(root: string = installRoot()): string | null {
  return /\/node_modules\/|^\/usr\/|^\/opt\//.test(`${root}/`) ? root : null;
}

/** The places gatehouse uses by default or by environment: an agent may not know which are in use, so all of them. */
export function defaultProtectedRoots(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string[] {
  const roots = [resolveStateDir(undefined, env), configHome(env), `${home}/.config/gatehouse`, `${home}/.local/state/gatehouse`];
  if (env.GATEHOUSE_POLICY) roots.push(posix.resolve(env.GATEHOUSE_POLICY));
  const installed = installedRoot();
  if (installed) roots.push(installed);
  return [...new Set(roots)];
}

const cache = new WeakMap<ProtectedPlaces, string[]>();

/**
 * Every protected root for these places: the defaults, the state dir, the config dir, the policy file
 * and a --config file (the files only: a policy or config kept in a project directory does not make
 * the project gatehouse's), the install dir.
 */
export function protectedRoots(places: ProtectedPlaces, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string[] {
  const hit = cache.get(places);
  if (hit) return hit;
  const own = [places.stateDir, places.configDir, places.policyPath, ...(places.configFile ? [places.configFile] : []), ...(places.installDir ? [places.installDir] : [])];
  const roots = [...new Set([...defaultProtectedRoots(env, home), ...own.filter((p) => p && p !== '/').map((p) => resolve(p))])];
  cache.set(places, roots);
  return roots;
}
