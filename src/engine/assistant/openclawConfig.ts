// Reads an existing OpenClaw config (~/.openclaw/openclaw.json, JSON5-ish) for the model provider the
// host already uses. Defensive: any problem (missing, too big, symlink, bad syntax, odd shapes) gives
// findings with a `problem` and no values, never a throw. What is read, and nothing else:
//   agents.defaults.model.primary | agents.defaults.model (string)   "provider/model"
//   models.providers.<provider>.{baseUrl, apiKey, api}                 api: anthropic-messages | openai-completions
//   env.ANTHROPIC_API_KEY | env.OPENAI_API_KEY | env.vars.<same>       inline keys
// Values still written as ${VAR} templates are ignored (the environment was consulted before this file).
import { lstatSync, readFileSync } from 'node:fs';
import type { ProviderName } from './types.js';

export interface OpenClawFindings {
  path: string;
  provider?: ProviderName;
  model?: string;
  api_key?: string;
  base_url?: string;
  /** Why nothing (or less) could be read; shown in the "assistant off" reason. */
  problem?: string;
}

const MAX_BYTES = 1024 * 1024;

/** Removes // and block comments and trailing commas outside strings, so JSON.parse can read JSON5-ish text. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let inString: string | null = null;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += next ?? '';
        i += 2;
        continue;
      }
      if (c === inString) inString = null;
      i++;
      continue;
    }
    if (c === '"') {
      inString = c;
      out += c;
      i++;
    } else if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (t === '' || /^\$\{[^}]*\}$/.test(t)) return undefined;
  return t;
}

export function readOpenClawConfig(path: string): OpenClawFindings {
  let text: string;
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return { path, problem: `${path} is a symlink; not read` };
    if (!st.isFile()) return { path, problem: `${path} is not a regular file` };
    if (st.size > MAX_BYTES) return { path, problem: `${path} is larger than 1 MiB; not read` };
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { path, problem: code === 'ENOENT' ? `${path} not found` : `${path} unreadable (${code ?? String(err)})` };
  }
  let root: Record<string, unknown> | undefined;
  try {
    root = obj(JSON.parse(stripJsonComments(text)));
  } catch (err) {
    return { path, problem: `${path} is not valid JSON/JSON5: ${(err as Error).message}` };
  }
  if (!root) return { path, problem: `${path} does not hold an object` };
  return interpretOpenClaw(path, root);
}

export function interpretOpenClaw(path: string, root: Record<string, unknown>): OpenClawFindings {
  const found: OpenClawFindings = { path };
  const defaults = obj(obj(root.agents)?.defaults);
  const modelField = defaults?.model;
  const primary = str(modelField) ?? str(obj(modelField)?.primary);
  const env = obj(root.env);
  const envVars = obj(env?.vars);
  const envValue = (name: string) => str(env?.[name]) ?? str(envVars?.[name]);
  const providers = obj(obj(root.models)?.providers);

  let providerName: string | undefined;
  if (primary && primary.includes('/')) {
    const slash = primary.indexOf('/');
    providerName = primary.slice(0, slash).toLowerCase();
    found.model = primary.slice(slash + 1);
  }
  const custom = providerName ? obj(providers?.[providerName]) : undefined;
  const api = str(custom?.api);
  if (providerName === 'anthropic' || api === 'anthropic-messages') found.provider = 'anthropic';
  else if (providerName === 'openai' && !custom) found.provider = 'openai';
  else if (api === 'openai-completions' || (providerName === 'openai' && custom)) found.provider = custom?.baseUrl ? 'openai-compatible' : 'openai';
  else if (providerName) {
    found.problem = `model provider ${JSON.stringify(providerName)} in ${path} is not one gatehouse can call (anthropic, openai or an openai-completions provider)`;
    delete found.model;
  }

  if (custom) {
    const base = str(custom.baseUrl);
    if (base) found.base_url = base;
    const key = str(custom.apiKey);
    if (key) found.api_key = key;
  }
  if (!found.api_key) {
    const k = found.provider === 'anthropic' ? envValue('ANTHROPIC_API_KEY') : found.provider ? envValue('OPENAI_API_KEY') : undefined;
    if (k) found.api_key = k;
  }
  // No primary model but an inline key: still usable with the provider's default model.
  if (!found.provider && !found.problem) {
    if (envValue('ANTHROPIC_API_KEY')) [found.provider, found.api_key] = ['anthropic', envValue('ANTHROPIC_API_KEY')!];
    else if (envValue('OPENAI_API_KEY')) [found.provider, found.api_key] = ['openai', envValue('OPENAI_API_KEY')!];
    else found.problem = `no usable model provider or key in ${path}`;
  }
  return found;
}
