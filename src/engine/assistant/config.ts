// The assistant's config block (mounted by the engine config under `assistant:`) and its resolution
// against the environment and an existing OpenClaw config. Resolution never throws: no key means the
// assistant is off, with one reason the console can show once.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { readOpenClawConfig, type OpenClawFindings } from './openclawConfig.js';
import { PROVIDERS, type ProviderName } from './types.js';

export const AssistantConfigSchema = z
  .object({
    /** false turns the assistant off whatever keys are around. */
    enabled: z.boolean().default(true),
    /** Unset: detected from the environment, then from the OpenClaw config. */
    provider: z.enum(PROVIDERS).optional(),
    model: z.string().min(1).max(200).optional(),
    /** Scheme + host (+ optional path prefix); a trailing /v1 is accepted and dropped. */
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    api_key: z.string().min(1).max(4096).optional(),
    /** Deadline of one whole call (all retries included), in ms. */
    timeout_ms: z.number().int().min(1000).max(600_000).default(30_000),
    max_retries: z.number().int().min(0).max(10).default(3),
    /** Tokens (in + out) allowed per UTC day; 0 allows none. */
    daily_token_budget: z.number().int().min(0).default(1_000_000),
    /** Estimated US dollars allowed per UTC day (see prices.ts); 0 allows none. */
    daily_cost_budget_usd: z.number().finite().min(0).default(5),
    /** Optional finer deadlines; default to a share of timeout_ms. */
    connect_timeout_ms: z.number().int().min(100).max(600_000).optional(),
    idle_timeout_ms: z.number().int().min(100).max(600_000).optional(),
  })
  .strict();
export type AssistantConfig = z.infer<typeof AssistantConfigSchema>;
export type AssistantConfigInput = z.input<typeof AssistantConfigSchema>;

export const DEFAULT_MODELS: Record<Exclude<ProviderName, 'openai-compatible'>, string> = {
  anthropic: 'claude-haiku-4-5',
  openai: 'gpt-4o-mini',
};

const DEFAULT_BASE: Record<Exclude<ProviderName, 'openai-compatible'>, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com',
};

/** Everything a provider call needs; produced only when the assistant is on. */
export interface ResolvedAssistant {
  enabled: true;
  provider: ProviderName;
  model: string;
  /** Without a trailing slash or /v1: paths are appended as /v1/... */
  base_url: string;
  /** null only for an openai-compatible local server that needs none. */
  api_key: string | null;
  timeout_ms: number;
  connect_timeout_ms: number;
  idle_timeout_ms: number;
  max_retries: number;
  daily_token_budget: number;
  daily_cost_budget_usd: number;
  /** Where each value came from, for `gatehouse assistant --status` and logs (never the key itself). */
  sources: { provider: string; model: string; base_url: string; api_key: string };
}

export interface AssistantOff {
  enabled: false;
  reason: string;
}

export interface ResolveOptions {
  /** The validated `assistant:` block, or undefined when the config has none. */
  config?: AssistantConfig | undefined;
  env?: NodeJS.ProcessEnv;
  /** `--model` on the command line: beats everything. */
  modelOverride?: string | undefined;
  /** Path of the OpenClaw config; default ~/.openclaw/openclaw.json; null skips it. */
  openclawPath?: string | null;
}

export function defaultOpenClawPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENCLAW_CONFIG_PATH) return env.OPENCLAW_CONFIG_PATH;
  const base = env.OPENCLAW_STATE_DIR ?? join(homedir(), '.openclaw');
  return join(base, 'openclaw.json');
}

/** Drops a trailing slash and a trailing /v1, so OPENAI_BASE_URL as the SDKs take it (…/v1) works too. */
export function normalizeBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function envKey(provider: ProviderName, env: NodeJS.ProcessEnv): string | undefined {
  const v = provider === 'anthropic' ? env.ANTHROPIC_API_KEY : env.OPENAI_API_KEY;
  return v && v.trim() !== '' ? v.trim() : undefined;
}

function envBase(provider: ProviderName, env: NodeJS.ProcessEnv): string | undefined {
  const v = provider === 'anthropic' ? env.ANTHROPIC_BASE_URL : env.OPENAI_BASE_URL;
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Decides whether the assistant is on and with what. Order, first found wins:
 * provider: config → ANTHROPIC_API_KEY → OPENAI_API_KEY → OpenClaw config;
 * key: config → provider's env var → OpenClaw config; base URL: config → *_BASE_URL → OpenClaw → default;
 * model: --model → config → OpenClaw primary model (same provider) → default for the provider.
 */
export function resolveAssistantConfig(opts: ResolveOptions = {}): ResolvedAssistant | AssistantOff {
  const env = opts.env ?? process.env;
  const cfg = opts.config ?? AssistantConfigSchema.parse({});
  if (!cfg.enabled) return { enabled: false, reason: 'assistant off: disabled in config (assistant.enabled: false)' };

  let openclaw: OpenClawFindings | null = null;
  const loadOpenClaw = (): OpenClawFindings | null => {
    if (openclaw === null && opts.openclawPath !== null) openclaw = readOpenClawConfig(opts.openclawPath ?? defaultOpenClawPath(env));
    return openclaw;
  };

  let provider: ProviderName | undefined = cfg.provider;
  let providerSource = 'config assistant.provider';
  if (!provider) {
    if (envKey('anthropic', env)) [provider, providerSource] = ['anthropic', 'ANTHROPIC_API_KEY'];
    else if (envKey('openai', env)) [provider, providerSource] = ['openai', 'OPENAI_API_KEY'];
    else {
      const oc = loadOpenClaw();
      if (oc?.provider) [provider, providerSource] = [oc.provider, `OpenClaw config ${oc.path}`];
    }
  }
  if (!provider) {
    const oc = openclaw as OpenClawFindings | null;
    const why = oc?.problem ? `; OpenClaw config: ${oc.problem}` : '';
    return {
      enabled: false,
      reason: `assistant off: no provider key (set ANTHROPIC_API_KEY or OPENAI_API_KEY, or assistant.provider and assistant.api_key in the config)${why}`,
    };
  }

  const oc = loadOpenClaw();
  const ocSame = oc && oc.provider === provider ? oc : null;

  let apiKey: string | null = null;
  let keySource = 'none';
  if (cfg.api_key) [apiKey, keySource] = [cfg.api_key, 'config assistant.api_key'];
  else if (envKey(provider, env)) [apiKey, keySource] = [envKey(provider, env)!, provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY'];
  else if (ocSame?.api_key) [apiKey, keySource] = [ocSame.api_key, `OpenClaw config ${ocSame.path}`];

  let base: string | undefined = cfg.base_url;
  let baseSource = 'config assistant.base_url';
  if (!base && envBase(provider, env)) [base, baseSource] = [envBase(provider, env)!, provider === 'anthropic' ? 'ANTHROPIC_BASE_URL' : 'OPENAI_BASE_URL'];
  if (!base && ocSame?.base_url) [base, baseSource] = [ocSame.base_url, `OpenClaw config ${ocSame.path}`];
  if (!base && provider !== 'openai-compatible') [base, baseSource] = [DEFAULT_BASE[provider], 'default'];
  if (!base) {
    return { enabled: false, reason: 'assistant off: provider openai-compatible needs assistant.base_url (or OPENAI_BASE_URL)' };
  }
  if (!/^https?:\/\/[^/]/.test(base)) {
    return { enabled: false, reason: `assistant off: base URL ${JSON.stringify(base)} from ${baseSource} is not an http(s) URL` };
  }

  // A local OpenAI-compatible server may need no key; the hosted APIs always do.
  if (!apiKey && provider !== 'openai-compatible') {
    const envName = provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
    return { enabled: false, reason: `assistant off: provider ${provider} has no API key (set ${envName} or assistant.api_key)` };
  }

  let model = opts.modelOverride;
  let modelSource = '--model';
  if (!model && cfg.model) [model, modelSource] = [cfg.model, 'config assistant.model'];
  if (!model && ocSame?.model) [model, modelSource] = [ocSame.model, `OpenClaw config ${ocSame.path}`];
  if (!model && provider !== 'openai-compatible') [model, modelSource] = [DEFAULT_MODELS[provider], 'default'];
  if (!model) return { enabled: false, reason: 'assistant off: provider openai-compatible needs assistant.model (or --model)' };

  return {
    enabled: true,
    provider,
    model,
    base_url: normalizeBaseUrl(base),
    api_key: apiKey,
    timeout_ms: cfg.timeout_ms,
    connect_timeout_ms: cfg.connect_timeout_ms ?? Math.min(10_000, cfg.timeout_ms),
    idle_timeout_ms: cfg.idle_timeout_ms ?? Math.min(20_000, cfg.timeout_ms),
    max_retries: cfg.max_retries,
    daily_token_budget: cfg.daily_token_budget,
    daily_cost_budget_usd: cfg.daily_cost_budget_usd,
    sources: { provider: providerSource, model: modelSource, base_url: baseSource, api_key: keySource },
  };
}
