// Configuration: one zod schema, YAML or JSON, ${VAR} expansion, errors that name the key, the bad value
// and what is allowed (docs/configuration.md). No config file at all is a valid configuration.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ApprovalConfigSchema } from '../approver/approvalConfig.js';
import { AssistantConfigSchema } from '../assistant/config.js';
import { MonitorConfigSchema } from '../monitor/monitorConfig.js';
import { NotifyConfigSchema } from '../notify/notifyConfig.js';
import { configHome } from '../store/stateDir.js';
import { ExportConfigSchema } from '../fleet/exportConfig.js';
import { PolicyConfigSchema } from '../fleet/policySignature.js';
import { FleetConfigSchema } from '../fleet/hostsConfig.js';
import { SensorsConfigSchema } from '../sensors/sensorsConfig.js';
import { SandboxConfigSchema } from '../contain/sandboxConfig.js';
import { BudgetSchema } from '../tasks/budgetConfig.js';
import { DocumentError, parseYamlDocument, validateDocument } from '../platform/yamlErrors.js';

export const ConfigSchema = z
  .object({
    api: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(18790),
        body_limit_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
        /** Longest long-poll a client may ask for with ?wait=S. */
        max_wait_seconds: z.number().int().min(0).max(3600).default(60),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        synchronous: z.enum(['FULL', 'NORMAL', 'EXTRA']).default('FULL'),
      })
      .strict()
      .prefault({}),
    budget: BudgetSchema,
    logging: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        format: z.enum(['pretty', 'json']).default('pretty'),
        /** Redaction of tokens and keys in logs; turning it off is reported by `gatehouse audit`. */
        redact: z.boolean().default(true),
        max_file_mb: z.number().int().min(1).max(1024).default(10),
        max_files: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .prefault({}),
    firewall: z
      .object({
        policy_file: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** Signed policy rollout (docs/guard.md): the keys whose signature makes a policy trusted. */
    policy: PolicyConfigSchema,
    approval: ApprovalConfigSchema,
    notify: NotifyConfigSchema,
    assistant: AssistantConfigSchema.optional(),
    monitor: MonitorConfigSchema.prefault({}),
    sensors: SensorsConfigSchema,
    /** Warm network namespaces for sandboxed runs (docs/containment.md). */
    sandbox: SandboxConfigSchema,
    export: ExportConfigSchema,
    fleet: FleetConfigSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const legacy = c.approval.slack_webhook_url;
    if (legacy && c.notify.slack_webhook_url && legacy !== c.notify.slack_webhook_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['approval', 'slack_webhook_url'],
        message: 'is the old name of notify.slack_webhook_url and names a different URL; keep only notify.slack_webhook_url',
      });
    }
  });

export type Config = z.output<typeof ConfigSchema>;

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or null when none exists (defaults). */
  file: string | null;
}

export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { path: string; explicit: boolean } {
  if (flag) return { path: resolve(flag), explicit: true };
  if (env.GATEHOUSE_CONFIG) return { path: resolve(env.GATEHOUSE_CONFIG), explicit: true };
  return { path: join(configHome(env), 'config.yaml'), explicit: false };
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands ${VAR} and ${VAR:-default} in every string; an unset variable without default is an error. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = [], problems: string[] = []): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const expanded = value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined) return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${path.join('.') || '(top level)'}: \${${name}} is not set in the environment (set it, or write \${${name}:-default})`);
      return '';
    });
    // `port: ${PORT}` means a number: an expanded scalar is read as YAML would read it.
    if (/^-?\d+(\.\d+)?$/.test(expanded)) return Number(expanded);
    if (expanded === 'true' || expanded === 'false') return expanded === 'true';
    return expanded;
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, String(i)], problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...path, k], problems)]));
  }
  return value;
}

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = parseYamlDocument(text, file);
  const raw = parsed.doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new DocumentError(file, ['the top level must be a mapping of keys']);
  const problems: string[] = [];
  const expanded = expandEnv(raw, env, [], problems);
  if (problems.length) throw new DocumentError(file, problems);
  return validateDocument(ConfigSchema, expanded, parsed, file);
}

export function loadConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const { path, explicit } = resolveConfigPath(flag, env);
  if (!existsSync(path)) {
    if (explicit) throw new DocumentError(path, ['file not found (given by --config or $GATEHOUSE_CONFIG)']);
    return { config: ConfigSchema.parse({}), file: null };
  }
  return { config: parseConfigText(readFileSync(path, 'utf8'), path, env), file: path };
}

export function applyPortOverride(config: Config, port: number | undefined): Config {
  return port === undefined ? config : { ...config, api: { ...config.api, port } };
}
