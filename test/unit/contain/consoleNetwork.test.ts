// A network ask reads like a command ask in the console: the destination, and the command that asked.
import { describe, expect, it } from 'vitest';
import { promptSubject, whyAsked } from '../../../src/ui/PromptBanner.js';
import type { Prompt } from '../../../src/shared/firewall.js';

const base: Prompt = {
  id: 'p1', kind: 'network', destination: 'example.test:443', agent: 'coder', task_id: null, cwd: '/w', command: 'npm install', tool: null,
  segments: [], rule: null, reason: 'no network rule names example.test:443 (network.default: ask)', created_at: '', expires_at: '', state: 'pending',
  decision: null, scope: null, resolved_by: null, feedback: null, always_rule: 'example.test:443',
};

describe('network prompts in the console', () => {
  it('names the destination and the command whose sandbox asked', () => {
    expect(promptSubject(base)).toBe('connect example.test:443 (from `npm install`)');
    expect(whyAsked(base, 'ask')).toMatch(/no network rule names example\.test:443/);
  });
});
