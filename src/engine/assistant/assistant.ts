// The approval assistant: risk briefs and chat about a pending task or firewall prompt. Advisory only:
// every call has a deadline and resolves to a value (a Brief, a ChatTurn or an AssistantError); nothing
// here throws into the caller's decision path, and nothing here decides.
import { createHash, randomUUID } from 'node:crypto';
import { DailyBudget } from './budget.js';
import type { AssistantOff, ResolvedAssistant } from './config.js';
import type { ConversationStore } from './conversations.js';
import { callWithRetries, type Sleep } from './http.js';
import { estimateCostUsd } from './prices.js';
import { buildBriefPrompt, buildChatPrompt, parseBrief, type BuiltPrompt } from './prompt.js';
import { buildWireRequest, estimateTokens, providerErrorMessage, streamReader, type StreamResult } from './providers.js';
import {
  silentLogger,
  subjectId as idOf,
  type AssistantError,
  type AssistantLogger,
  type Brief,
  type BriefContext,
  type ChatMessage,
  type ChatTurn,
  type SentRecord,
  type Subject,
} from './types.js';
import { VERSION } from '../../shared/version.js';

export interface AssistantOptions {
  /** From resolveAssistantConfig(). */
  settings: ResolvedAssistant | AssistantOff;
  /** The budget state file, e.g. <state-dir>/assistant-budget.json. */
  budgetPath: string;
  /** Secret masking (the monitor's maskSecrets); applied to everything before it leaves the host. */
  redact: (text: string) => string;
  logger?: AssistantLogger;
  /** Called once per attempt with the sha256 and size of the request body, for the ledger. */
  sent?: (record: SentRecord) => void;
  /** When given, briefs and chat turns are stored here. */
  conversations?: ConversationStore;
  maxTokens?: { brief?: number; chat?: number };
  /** Test seams. */
  fetchImpl?: typeof fetch;
  sleep?: Sleep;
  random?: () => number;
  now?: () => Date;
}

export interface CallOptions {
  /** Whole-call deadline in ms (retries included); default settings.timeout_ms. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface ChatOptions extends CallOptions {
  /** The task or prompt asked about; default: the one last briefed under this id, if any. */
  subject?: Subject;
  context?: BriefContext;
}

import type { AssistantStatus } from '../../shared/assistant.js';

export type { AssistantStatus };

const REMEMBERED_SUBJECTS = 500;

export class Assistant {
  private readonly budget: DailyBudget | null;
  private readonly log: AssistantLogger;
  private readonly remembered = new Map<string, { subject: Subject; context: BriefContext }>();

  constructor(private readonly opts: AssistantOptions) {
    this.log = opts.logger ?? silentLogger;
    const s = opts.settings;
    if (s.enabled) {
      this.budget = new DailyBudget(opts.budgetPath, s, this.log, opts.now);
      this.log.info({ provider: s.provider, model: s.model, base_url: s.base_url, sources: s.sources }, 'assistant on');
    } else {
      this.budget = null;
      // Said once, here; later calls return the same reason as a value without logging.
      this.log.info({ reason: s.reason }, 'assistant off');
    }
  }

  status(): AssistantStatus {
    const s = this.opts.settings;
    return s.enabled ? { enabled: true, provider: s.provider, model: s.model, base_url: s.base_url } : { enabled: false, reason: s.reason };
  }

  /** Today's spend against the limits (null when off). */
  spend() {
    return this.budget?.snapshot() ?? null;
  }

  async brief(subject: Subject, context: BriefContext = {}, opts: CallOptions = {}): Promise<Brief | AssistantError> {
    const id = safeId(subject);
    this.remember(id, subject, context);
    const result = await this.run('brief', id, opts, () => buildBriefPrompt(subject, context, this.opts.redact), this.opts.maxTokens?.brief ?? 700, () => {});
    if (!('text' in result)) return result;
    const s = this.opts.settings as ResolvedAssistant;
    const { risk, summary } = parseBrief(result.text);
    const brief: Brief = {
      subject_id: id,
      risk,
      summary,
      text: result.text,
      model: s.model,
      provider: s.provider,
      created_at: this.now().toISOString(),
      tokens_in: result.tokens_in,
      tokens_out: result.tokens_out,
    };
    this.log.info({ request_id: result.request_id, subject_id: id, risk, tokens_in: brief.tokens_in, tokens_out: brief.tokens_out }, 'assistant brief');
    this.store(() => this.opts.conversations?.saveBrief(brief));
    return brief;
  }

  async chat(
    subjectId: string,
    question: string,
    history: readonly ChatMessage[],
    onToken: (token: string) => void,
    opts: ChatOptions = {},
  ): Promise<ChatTurn | AssistantError> {
    const known = this.remembered.get(subjectId);
    const subject = opts.subject ?? known?.subject ?? null;
    const context = opts.context ?? known?.context ?? {};
    const briefText = this.opts.conversations ? this.tryGet(() => this.opts.conversations!.getBrief(subjectId)?.text ?? null) : null;
    const safeToken = (t: string) => {
      try {
        onToken(t);
      } catch (err) {
        this.log.warn({ subject_id: subjectId, problem: (err as Error).message }, 'assistant onToken handler threw; ignored');
      }
    };
    const result = await this.run(
      'chat',
      subjectId,
      opts,
      () => buildChatPrompt(subject, context, briefText, history, question, this.opts.redact),
      this.opts.maxTokens?.chat ?? 800,
      safeToken,
    );
    if (!('text' in result)) return result;
    const s = this.opts.settings as ResolvedAssistant;
    const turn: ChatTurn = {
      subject_id: subjectId,
      question,
      answer: result.text,
      model: s.model,
      provider: s.provider,
      created_at: this.now().toISOString(),
      tokens_in: result.tokens_in,
      tokens_out: result.tokens_out,
    };
    this.log.info({ request_id: result.request_id, subject_id: subjectId, tokens_in: turn.tokens_in, tokens_out: turn.tokens_out }, 'assistant chat answer');
    this.store(() => {
      const c = this.opts.conversations;
      if (!c) return;
      c.append({ subject_id: subjectId, role: 'user', content: question, created_at: turn.created_at, model: null, provider: null, tokens: 0 });
      c.append({ subject_id: subjectId, role: 'assistant', content: turn.answer, created_at: turn.created_at, model: s.model, provider: s.provider, tokens: turn.tokens_out });
    });
    return turn;
  }

  /** One model call under a hard deadline; every failure, including our own bugs, becomes a value. */
  private async run(
    purpose: 'brief' | 'chat',
    subjectId: string,
    opts: CallOptions,
    build: () => BuiltPrompt,
    maxTokens: number,
    onToken: (t: string) => void,
  ): Promise<(StreamResult & { request_id: string }) | AssistantError> {
    const s = this.opts.settings;
    if (!s.enabled) return { error: 'off', message: s.reason, request_id: null };
    const requestId = randomUUID();
    const deadlineMs = Math.max(1, opts.deadlineMs ?? s.timeout_ms);
    const ctrl = new AbortController();
    const relay = () => ctrl.abort();
    opts.signal?.addEventListener('abort', relay, { once: true });
    let timer: NodeJS.Timeout | undefined;
    // Belt and braces: even if something below ignored its signal, the caller gets an answer at the deadline.
    const hard = new Promise<AssistantError>((resolve) => {
      timer = setTimeout(() => {
        ctrl.abort();
        resolve({ error: 'timeout', message: `no answer within the ${deadlineMs} ms deadline`, request_id: requestId });
      }, deadlineMs + 50);
    });
    try {
      return await Promise.race([hard, this.attempt(s, purpose, subjectId, requestId, Date.now() + deadlineMs, ctrl.signal, build, maxTokens, onToken)]);
    } catch (err) {
      this.log.error({ request_id: requestId, subject_id: subjectId, problem: (err as Error).stack ?? String(err) }, 'assistant internal error');
      return { error: 'internal', message: `assistant internal error: ${(err as Error).message}`, request_id: requestId };
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', relay);
    }
  }

  private async attempt(
    s: ResolvedAssistant,
    purpose: 'brief' | 'chat',
    subjectId: string,
    requestId: string,
    deadline: number,
    signal: AbortSignal,
    build: () => BuiltPrompt,
    maxTokens: number,
    onToken: (t: string) => void,
  ): Promise<(StreamResult & { request_id: string }) | AssistantError> {
    const prompt = build();
    const wire = buildWireRequest(s.provider, s.api_key, { model: s.model, system: prompt.system, messages: prompt.messages, max_tokens: maxTokens });
    const estIn = estimateTokens(wire.body.length);
    const check = this.budget!.check(estIn + maxTokens, estimateCostUsd(s.provider, s.model, estIn, maxTokens));
    if (!check.ok) {
      this.log.warn({ request_id: requestId, subject_id: subjectId, reason: check.reason }, 'assistant call refused by budget');
      return { error: 'budget', message: check.reason, request_id: requestId };
    }
    const url = `${s.base_url}${wire.path}`;
    const bodyBytes = Buffer.byteLength(wire.body);
    const sha256 = createHash('sha256').update(wire.body).digest('hex');
    const outcome = await callWithRetries({
      url,
      headers: { ...wire.headers, 'user-agent': `gatehouse/${VERSION}`, 'x-request-id': requestId },
      body: wire.body,
      requestId,
      deadline,
      connectTimeoutMs: s.connect_timeout_ms,
      idleTimeoutMs: s.idle_timeout_ms,
      maxRetries: s.max_retries,
      logger: this.log,
      signal,
      onAttempt: (attempt) => {
        try {
          this.opts.sent?.({ request_id: requestId, provider: s.provider, model: s.model, url, sha256, bytes: bodyBytes, purpose, subject_id: subjectId, attempt });
        } catch (err) {
          this.log.warn({ request_id: requestId, problem: (err as Error).message }, 'assistant sent callback threw; ignored');
        }
      },
      readBody: streamReader(s.provider, onToken),
      errorMessage: providerErrorMessage,
      ...(this.opts.fetchImpl ? { fetchImpl: this.opts.fetchImpl } : {}),
      ...(this.opts.sleep ? { sleep: this.opts.sleep } : {}),
      ...(this.opts.random ? { random: this.opts.random } : {}),
    });
    if (!outcome.ok) {
      // A stream that broke half-way was still billed for its input: count it, erring towards stopping.
      if (outcome.error.error === 'protocol') this.budget!.record(estIn, 0, estimateCostUsd(s.provider, s.model, estIn, 0));
      return { ...outcome.error, request_id: requestId };
    }
    const r = outcome.value;
    const tokensIn = r.tokens_in > 0 ? r.tokens_in : estIn;
    this.budget!.record(tokensIn, r.tokens_out, estimateCostUsd(s.provider, s.model, tokensIn, r.tokens_out));
    return { ...r, tokens_in: tokensIn, request_id: requestId };
  }

  private remember(id: string, subject: Subject, context: BriefContext) {
    this.remembered.delete(id);
    this.remembered.set(id, { subject, context });
    if (this.remembered.size > REMEMBERED_SUBJECTS) this.remembered.delete(this.remembered.keys().next().value!);
  }

  private store(fn: () => void) {
    try {
      fn();
    } catch (err) {
      this.log.error({ problem: (err as Error).message }, 'assistant could not store a brief or chat turn');
    }
  }

  private tryGet<T>(fn: () => T | null): T | null {
    try {
      return fn();
    } catch {
      return null;
    }
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

function safeId(subject: Subject): string {
  try {
    return idOf(subject);
  } catch {
    return 'unknown';
  }
}
