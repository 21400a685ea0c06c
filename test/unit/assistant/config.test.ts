// Resolution of provider, key, base URL and model from config, environment and an OpenClaw config;
// the off reasons; and the schema's errors.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AssistantConfigSchema, resolveAssistantConfig } from '../../../src/engine/assistant/config.js';
import { readOpenClawConfig, stripJsonComments } from '../../../src/engine/assistant/openclawConfig.js';
import { tempDir } from './fixtures.js';

const none = { openclawPath: null } as const;

describe('resolveAssistantConfig', () => {
  it('is off with one clear reason when no key is anywhere', () => {
    const r = resolveAssistantConfig({ env: {}, ...none });
    expect(r).toEqual({ enabled: false, reason: expect.stringContaining('no provider key') });
    if (!r.enabled) expect(r.reason).toContain('ANTHROPIC_API_KEY');
  });

  it('is off when disabled in config, whatever the environment', () => {
    const r = resolveAssistantConfig({ config: AssistantConfigSchema.parse({ enabled: false }), env: { ANTHROPIC_API_KEY: 'k' }, ...none });
    expect(r).toMatchObject({ enabled: false, reason: expect.stringContaining('assistant.enabled: false') });
  });

  it('detects Anthropic from ANTHROPIC_API_KEY with its base URL and default model', () => {
    const r = resolveAssistantConfig({ env: { ANTHROPIC_API_KEY: 'ak', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999/' }, ...none });
    expect(r).toMatchObject({ enabled: true, provider: 'anthropic', api_key: 'ak', base_url: 'http://127.0.0.1:9999', model: 'claude-haiku-4-5' });
    if (r.enabled) expect(r.sources).toMatchObject({ provider: 'ANTHROPIC_API_KEY', base_url: 'ANTHROPIC_BASE_URL', model: 'default' });
  });

  it('detects OpenAI from OPENAI_API_KEY, takes OPENAI_BASE_URL with /v1, and --model beats config', () => {
    const r = resolveAssistantConfig({
      config: AssistantConfigSchema.parse({ model: 'gpt-4.1' }),
      env: { OPENAI_API_KEY: 'ok', OPENAI_BASE_URL: 'https://proxy.internal/v1' },
      modelOverride: 'gpt-5-mini',
      ...none,
    });
    expect(r).toMatchObject({ enabled: true, provider: 'openai', base_url: 'https://proxy.internal', model: 'gpt-5-mini', api_key: 'ok' });
  });

  it('prefers the config over the environment', () => {
    const config = AssistantConfigSchema.parse({ provider: 'openai', api_key: 'cfg-key', base_url: 'http://127.0.0.1:1234' });
    const r = resolveAssistantConfig({ config, env: { ANTHROPIC_API_KEY: 'ak', OPENAI_API_KEY: 'env-key' }, ...none });
    expect(r).toMatchObject({ enabled: true, provider: 'openai', api_key: 'cfg-key', base_url: 'http://127.0.0.1:1234' });
  });

  it('is off for a hosted provider chosen in config without a key, naming the variable', () => {
    const r = resolveAssistantConfig({ config: AssistantConfigSchema.parse({ provider: 'anthropic' }), env: {}, ...none });
    expect(r).toMatchObject({ enabled: false, reason: expect.stringContaining('ANTHROPIC_API_KEY') });
  });

  it('needs a base URL and a model for an OpenAI-compatible server, but no key', () => {
    expect(resolveAssistantConfig({ config: AssistantConfigSchema.parse({ provider: 'openai-compatible' }), env: {}, ...none })).toMatchObject({
      enabled: false,
      reason: expect.stringContaining('base_url'),
    });
    expect(
      resolveAssistantConfig({ config: AssistantConfigSchema.parse({ provider: 'openai-compatible', base_url: 'http://127.0.0.1:11434' }), env: {}, ...none }),
    ).toMatchObject({ enabled: false, reason: expect.stringContaining('assistant.model') });
    expect(
      resolveAssistantConfig({ config: AssistantConfigSchema.parse({ provider: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1', model: 'qwen3' }), env: {}, ...none }),
    ).toMatchObject({ enabled: true, api_key: null, base_url: 'http://127.0.0.1:11434', model: 'qwen3' });
  });

  it('reads provider, model and key from an OpenClaw config when the environment has none', () => {
    const dir = tempDir();
    const path = join(dir, 'openclaw.json');
    writeFileSync(
      path,
      `// OpenClaw config (JSON5)
{
  agents: undefined_is_not_json_but_we_do_not_need_it,
}`,
    );
    // Unquoted keys are beyond what we parse: reported, not thrown.
    expect(resolveAssistantConfig({ env: {}, openclawPath: path })).toMatchObject({ enabled: false, reason: expect.stringContaining('not valid JSON') });

    writeFileSync(
      path,
      `{
  // the operator's default model
  "agents": { "defaults": { "model": { "primary": "anthropic/claude-sonnet-4-5", "fallbacks": [] } } },
  "env": { "ANTHROPIC_API_KEY": "oc-key", },
  /* trailing commas are fine */
}`,
    );
    const r = resolveAssistantConfig({ env: {}, openclawPath: path });
    expect(r).toMatchObject({ enabled: true, provider: 'anthropic', model: 'claude-sonnet-4-5', api_key: 'oc-key', base_url: 'https://api.anthropic.com' });
  });

  it('reads a custom OpenAI-compatible provider from an OpenClaw config', () => {
    const path = join(tempDir(), 'openclaw.json');
    writeFileSync(
      path,
      JSON.stringify({
        agents: { defaults: { model: 'local/llama3.3' } },
        models: { providers: { local: { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: '${OLLAMA_KEY}', api: 'openai-completions' } } },
      }),
    );
    const r = resolveAssistantConfig({ env: {}, openclawPath: path });
    expect(r).toMatchObject({ enabled: true, provider: 'openai-compatible', model: 'llama3.3', base_url: 'http://127.0.0.1:11434', api_key: null });
  });

  it('never throws on a hostile OpenClaw path: missing, symlink, directory, wrong shapes', () => {
    const dir = tempDir();
    expect(readOpenClawConfig(join(dir, 'nope.json')).problem).toContain('not found');
    mkdirSync(join(dir, 'd'));
    expect(readOpenClawConfig(join(dir, 'd')).problem).toContain('not a regular file');
    writeFileSync(join(dir, 'real.json'), '{}');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    expect(readOpenClawConfig(join(dir, 'link.json')).problem).toContain('symlink');
    writeFileSync(join(dir, 'arr.json'), '[1,2]');
    expect(readOpenClawConfig(join(dir, 'arr.json')).problem).toContain('object');
    writeFileSync(join(dir, 'odd.json'), JSON.stringify({ agents: { defaults: { model: { primary: 42 } } }, models: 'x', env: [] }));
    expect(readOpenClawConfig(join(dir, 'odd.json')).problem).toContain('no usable');
    writeFileSync(join(dir, 'gem.json'), JSON.stringify({ agents: { defaults: { model: 'google/gemini-3-pro' } } }));
    expect(readOpenClawConfig(join(dir, 'gem.json')).problem).toContain('"google"');
  });

  it('strips comments but keeps comment-like text inside strings', () => {
    expect(JSON.parse(stripJsonComments('{"url": "http://x//y", /* c */ "a": [1,2,], // end\n}'))).toEqual({ url: 'http://x//y', a: [1, 2] });
  });
});

describe('AssistantConfigSchema', () => {
  it('fills defaults', () => {
    expect(AssistantConfigSchema.parse({})).toMatchObject({ enabled: true, timeout_ms: 30_000, max_retries: 3 });
  });

  it('names the bad key and what is allowed', () => {
    const bad = AssistantConfigSchema.safeParse({ provider: 'gemini', timeout_ms: 5, surprise: 1 });
    expect(bad.success).toBe(false);
    const issues = bad.error!.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    expect(issues).toMatch(/provider: .*anthropic/);
    expect(issues).toMatch(/timeout_ms: .*1000/);
    expect(issues).toContain('surprise');
    expect(AssistantConfigSchema.safeParse({ base_url: 'file:///etc/passwd' }).success).toBe(false);
  });
});
