// The daily budget: refusal once exhausted (before anything is sent), persistence across instances,
// the state file's mode, a new day, and a corrupt file set aside.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmServer, type LlmServer } from '../../support/llmServers.js';
import { Assistant } from '../../../src/engine/assistant/assistant.js';
import { DailyBudget } from '../../../src/engine/assistant/budget.js';
import { estimateCostUsd, priceFor } from '../../../src/engine/assistant/prices.js';
import { isAssistantError, silentLogger } from '../../../src/engine/assistant/types.js';
import { captureLogger, GOOD_BRIEF, promptSubject, settingsFor, tempDir } from './fixtures.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('daily budget', () => {
  it('refuses once the token budget is spent, persists it, and a new instance refuses too', async () => {
    server = await startLlmServer('anthropic', [{ kind: 'ok', text: GOOD_BRIEF, usage: { input: 3000, output: 1000 } }]);
    const budgetPath = join(tempDir(), 'assistant-budget.json');
    const settings = settingsFor(server.url, 'anthropic', { daily_token_budget: 6000 });
    const make = () => new Assistant({ settings, budgetPath, redact: (t) => t });

    const first = make();
    expect(isAssistantError(await first.brief(promptSubject(), {}))).toBe(false);
    const state = JSON.parse(readFileSync(budgetPath, 'utf8'));
    expect(state).toMatchObject({ version: 1, tokens_in: 3000, tokens_out: 1000, requests: 1 });
    expect(statSync(budgetPath).mode & 0o777).toBe(0o600);

    // 4000 of 6000 spent: a second call still fits its estimate; after it (8000) nothing does.
    expect(isAssistantError(await first.brief(promptSubject({ id: 'p2' }), {}))).toBe(false);
    const refused = await first.brief(promptSubject({ id: 'p3' }), {});
    expect(isAssistantError(refused) && refused.error).toBe('budget');
    expect(server.requests).toHaveLength(2);

    const second = make();
    const again = await second.brief(promptSubject({ id: 'p4' }), {});
    if (!isAssistantError(again)) throw new Error('expected a budget refusal');
    expect(again.error).toBe('budget');
    expect(again.message).toContain('assistant.daily_token_budget');
    expect(server.requests).toHaveLength(2);
  });

  it('refuses on the estimated cost budget as well', async () => {
    server = await startLlmServer('openai', [{ kind: 'ok', text: GOOD_BRIEF }]);
    const settings = settingsFor(server.url, 'openai', { model: 'gpt-4o', daily_cost_budget_usd: 0 });
    const a = new Assistant({ settings, budgetPath: join(tempDir(), 'b.json'), redact: (t) => t });
    const r = await a.brief(promptSubject(), {});
    if (!isAssistantError(r)) throw new Error('expected a budget refusal');
    expect(r.error).toBe('budget');
    expect(r.message).toContain('daily_cost_budget_usd');
    expect(server.requests).toHaveLength(0);
  });

  it('starts a fresh count on a new UTC day', () => {
    const path = join(tempDir(), 'b.json');
    let now = new Date('2026-03-01T23:59:00Z');
    const b = new DailyBudget(path, { daily_token_budget: 100, daily_cost_budget_usd: 1 }, silentLogger, () => now);
    b.record(90, 0, 0);
    expect(b.check(20, 0).ok).toBe(false);
    now = new Date('2026-03-02T00:01:00Z');
    expect(b.check(20, 0).ok).toBe(true);
    expect(b.snapshot()).toMatchObject({ day: '2026-03-02', tokens_in: 0 });
  });

  it('sets a corrupt state file aside and starts fresh, with a warning', async () => {
    const dir = tempDir();
    const path = join(dir, 'assistant-budget.json');
    writeFileSync(path, '{"version": 1, "day": "2026-0', { mode: 0o600 });
    server = await startLlmServer('anthropic', [{ kind: 'ok', text: GOOD_BRIEF }]);
    const { logger, lines } = captureLogger();
    const a = new Assistant({ settings: settingsFor(server.url, 'anthropic'), budgetPath: path, redact: (t) => t, logger });
    expect(isAssistantError(await a.brief(promptSubject(), {}))).toBe(false);
    const aside = readdirSync(dir).filter((f) => f.startsWith('assistant-budget.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{"version": 1, "day": "2026-0');
    expect(JSON.parse(readFileSync(path, 'utf8')).requests).toBe(1);
    expect(lines.some((l) => l.level === 'warn' && String(l.msg).includes('set aside'))).toBe(true);
  });

  it('treats a well-formed file with the wrong shape as corrupt too', () => {
    const dir = tempDir();
    const path = join(dir, 'b.json');
    writeFileSync(path, JSON.stringify({ version: 1, day: 'today', tokens_in: -5 }));
    const b = new DailyBudget(path, { daily_token_budget: 100, daily_cost_budget_usd: 1 }, silentLogger);
    expect(b.snapshot().tokens_in).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).some((f) => f.startsWith('b.json.corrupt-'))).toBe(true);
  });
});

describe('price table', () => {
  it('prices by family, longest prefix first, and an unknown hosted model high', () => {
    expect(priceFor('anthropic', 'claude-3-5-haiku-latest').input_per_mtok).toBe(0.8);
    expect(priceFor('openai', 'gpt-4o-mini-2024-07-18').input_per_mtok).toBe(0.15);
    expect(priceFor('openai', 'gpt-4o-2024-08-06').input_per_mtok).toBe(2.5);
    expect(priceFor('openai', 'mystery-model').output_per_mtok).toBe(75);
    expect(priceFor('openai-compatible', 'llama3.2').output_per_mtok).toBe(0);
    expect(estimateCostUsd('anthropic', 'claude-sonnet-4-5', 1_000_000, 1_000_000)).toBe(18);
  });
});
