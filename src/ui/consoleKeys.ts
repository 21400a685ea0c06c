// The console's key handlers, one per layer, all registered on the one dispatcher. Each reads the
// store's current state when the key arrives and acts through reducer actions or the controller.
import type { Prompt } from '../shared/firewall.js';
import type { Alert } from '../shared/alert.js';
import { bindingOf, commandFor, helpLines, type Command, type Scope } from './keymap.js';
import { KeyDispatcher, PRIORITY } from './keyDispatcher.js';
import type { KeyEvent } from './keys.js';
import { ORDERS, VIEWS, listItems, selectedIndex, type ConsoleState, type Store, type ViewName } from './consoleState.js';
import type { ConsoleController } from './consoleController.js';
import { describeFilter, parseQueueFilter } from './queueFilter.js';

export interface KeyContext {
  store: Store;
  controller: ConsoleController;
  readonly: boolean;
  /** This console runs the engine in its own process: quitting stops the engine. */
  hosting?: boolean;
}

/**
 * The prompt the answer keys act on: the selected one in the Prompts view, the one taken up with `p` while
 * answering from the banner, else none. Outside those two places no key answers an ask.
 */
export function promptInFocus(s: ConsoleState): Prompt | null {
  if (s.answering !== null) return s.prompts.find((p) => p.id === s.answering) ?? null;
  if (s.view === 'prompts' && !s.detail) return s.prompts.find((p) => p.id === s.selected.prompts) ?? s.prompts[0] ?? null;
  return null;
}

/** The ask the banner shows: the one being answered (while it is pending), else the soonest to expire. */
export function bannerPrompt(s: ConsoleState): Prompt | null {
  if (s.answering !== null) return s.prompts.find((p) => p.id === s.answering) ?? null;
  return s.prompts[0] ?? null;
}

/** The tasks an action applies to: the marked ones, else the selected one. */
function targets(s: ConsoleState): string[] {
  if (s.detail) return [s.detail.id];
  if (s.queue.marks.length > 0) return s.queue.marks.slice();
  return s.queue.selectedId ? [s.queue.selectedId] : [];
}

const COMMAND_WORDS = ['queue', 'prompts', 'alerts', 'agents', 'ledger', 'help', 'quit', 'q', 'sort', 'filter', 'trust'] as const;

export function registerConsoleKeys(dispatcher: KeyDispatcher, ctx: KeyContext): () => void {
  const { store, controller, readonly } = ctx;
  const quit = () => void controller.quit(ctx.hosting ?? false);
  const get = store.getState;
  const hostNames = (): string[] => (get().hosts ?? []).map((h) => h.name);
  const d = store.dispatch;
  const flash = (text: string, tone: 'ok' | 'error' | 'info' = 'info') => d({ type: 'flash', flash: { text, tone } });
  const cmd = (key: KeyEvent, scope: Scope): Command | null => commandFor(key.name, scope, readonly);

  const exitLayer = (key: KeyEvent): boolean => {
    if (key.name === 'ctrl+c') {
      if (get().ctrlCArmed) d({ type: 'quit' });
      else {
        d({ type: 'ctrlc.arm', armed: true });
        flash('press ctrl-c again to exit');
      }
      return true;
    }
    if (get().ctrlCArmed) {
      d({ type: 'ctrlc.arm', armed: false });
      d({ type: 'flash', flash: null });
    }
    return false;
  };

  const submitInput = (purpose: string, value: string, targetIds: string[]): void => {
    d({ type: 'dialog.close' });
    if (purpose === 'filter') {
      const parsed = parseQueueFilter(value, hostNames());
      if (!parsed.ok) return flash(parsed.error, 'error');
      d({ type: 'queue.filter', filter: parsed.filter });
      void controller.loadQueue();
    } else if (purpose === 'reject') {
      void controller.taskAction('reject', targetIds, value.trim() || undefined);
    } else if (purpose === 'denyFeedback') {
      const p = get().prompts.find((x) => x.id === targetIds[0]);
      if (p) {
        void controller.answerPrompt(p, 'deny', 'once', value.trim() || undefined);
        d({ type: 'answering', id: null });
      } else flash('that ask is no longer pending', 'error');
    } else if (purpose === 'command') runCommand(value);
    else if (purpose === 'ask') {
      const id = targetIds[0];
      if (id && value.trim()) void controller.askAssistant(id, value.trim());
    }
  };

  const runCommand = (line: string): void => {
    const [word = '', ...rest] = line.trim().replace(/^:/, '').split(/\s+/);
    const arg = rest.join(' ');
    if ((VIEWS as readonly string[]).includes(word)) return d({ type: 'view', view: word as ViewName });
    if (word === 'quit' || word === 'q') return quit();
    if (word === 'help') return d({ type: 'help', open: true });
    if (word === 'sort') {
      if (!(ORDERS as readonly string[]).includes(arg)) return flash(`unknown sort '${arg}' (allowed: ${ORDERS.join(', ')})`, 'error');
      d({ type: 'queue.order', order: arg as (typeof ORDERS)[number] });
      return void controller.loadQueue();
    }
    if (word === 'filter') return submitInput('filter', arg, []);
    if (word === 'trust') {
      if (readonly) return flash('read-only console: :trust is not available', 'error');
      void controller.policyReview().then(
        ({ diff, sha256 }) => {
          if (!sha256) return flash('the policy file cannot be trusted (missing, a symlink, or not a regular file you own)', 'error');
          const changed = diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l)).length;
          // The dialog carries the hash of the text whose diff was counted: trust binds to it (law 8).
          d({ type: 'dialog.open', dialog: { kind: 'confirm', purpose: 'trust', message: `Trust the policy on disk (${changed} changed lines, sha256 ${sha256.slice(0, 12)}…)? This ends a lockdown.`, targets: [sha256] } });
        },
        (err: unknown) => flash(`policy diff failed: ${err instanceof Error ? err.message : String(err)}`, 'error'),
      );
      return;
    }
    flash(`unknown command '${word}' (known: ${COMMAND_WORDS.join(', ')})`, 'error');
  };

  const dialogLayer = (key: KeyEvent): boolean => {
    const dlg = get().dialog;
    if (!dlg) return false;
    if (dlg.kind === 'confirm') {
      if (key.name === 'y') {
        d({ type: 'dialog.close' });
        if (dlg.purpose === 'abort') void controller.taskAction('abort', dlg.targets);
        else if (dlg.purpose === 'bulkApprove') void controller.taskAction('approve', dlg.targets);
        else if (dlg.purpose === 'trust' && dlg.targets[0]) void controller.trustPolicy(dlg.targets[0]);
        else if (dlg.purpose === 'quit') d({ type: 'quit' });
        else if (dlg.purpose === 'allowAlways') {
          const p = get().prompts.find((x) => x.id === dlg.targets[0]);
          if (p) {
            void controller.answerPrompt(p, 'allow', 'always');
            d({ type: 'answering', id: null });
          } else flash('that ask is no longer pending', 'error');
        }
      } else if (key.name === 'n' || key.name === 'esc' || key.name === 'q') d({ type: 'dialog.close' });
      return true; // a confirm swallows every other key: nothing acts behind it
    }
    if (key.name === 'enter') submitInput(dlg.purpose, dlg.value, dlg.targets);
    else if (key.name === 'esc') {
      d({ type: 'dialog.close' });
      if (dlg.purpose === 'filter') {
        // Cancelling a filter edit restores the filter in force before it.
        const before = parseQueueFilter(dlg.targets[0] ?? '', hostNames());
        if (before.ok) d({ type: 'queue.filter', filter: before.filter });
        void controller.loadQueue();
      }
    } else if (key.name === 'backspace' || key.name === 'delete') d({ type: 'dialog.edit', value: Array.from(dlg.value).slice(0, -1).join('') });
    else if (key.name === 'ctrl+u') d({ type: 'dialog.edit', value: '' });
    else if (key.text) {
      d({ type: 'dialog.edit', value: dlg.value + key.text });
      if (dlg.purpose === 'filter') {
        // Live filtering, like k9s: apply each edit that parses.
        const parsed = parseQueueFilter(dlg.value + key.text, hostNames());
        if (parsed.ok) {
          d({ type: 'queue.filter', filter: parsed.filter });
          void controller.loadQueue();
        }
      }
    }
    return true;
  };

  // The help takes every key while open: its own scroll keys, and close. Its page is the view's height.
  const helpLayer = (key: KeyEvent): boolean => {
    const s = get();
    if (!s.help) return false;
    const page = Math.max(1, s.queue.pageSize);
    const max = helpLines(readonly).length - page;
    const c = cmd(key, 'help');
    if (c === 'help.close') d({ type: 'help', open: false });
    else if (c === 'help.down' || c === 'help.up') d({ type: 'help.scroll', to: 'delta', delta: c === 'help.down' ? 1 : -1, max });
    else if (c === 'help.pageDown' || c === 'help.pageUp') d({ type: 'help.scroll', to: 'delta', delta: c === 'help.pageDown' ? page : -page, max });
    else if (c === 'help.top' || c === 'help.bottom') d({ type: 'help.scroll', to: c === 'help.top' ? 'top' : 'bottom', max });
    return true;
  };

  const answer = (p: Prompt, c: Command): void => {
    if (c === 'prompt.allowOnce') void controller.answerPrompt(p, 'allow', 'once');
    else if (c === 'prompt.allowTask') {
      if (!p.task_id) return flash('this ask has no task: allow once or always instead', 'error');
      void controller.answerPrompt(p, 'allow', 'task');
    } else if (c === 'prompt.deny') void controller.answerPrompt(p, 'deny', 'once');
    else if (c === 'prompt.denyFeedback') {
      // Answering stays on until the reason is sent (submitInput), so esc in the dialog returns to the ask.
      return d({ type: 'dialog.open', dialog: { kind: 'input', purpose: 'denyFeedback', label: 'deny: tell the agent why', value: '', targets: [p.id] } });
    } else if (c === 'prompt.allowAlways') {
      if (p.always_rule === null) return flash(`allow always is refused for this ask: ${p.always_refusal ?? 'no narrow rule can cover it (shells, interpreters, sudo)'}`, 'error');
      return d({ type: 'dialog.open', dialog: { kind: 'confirm', purpose: 'allowAlways', message: `Write rule "${p.always_rule}" into the policy and allow?`, targets: [p.id] } });
    } else return;
    d({ type: 'answering', id: null });
  };

  // Answering from the banner is modal: after `p`, only the answer keys, enter, esc (and ? and ctrl-c)
  // mean anything, so no key typed for the queue can slip through to the ask or the other way round.
  const promptLayer = (key: KeyEvent): boolean => {
    const s = get();
    if (s.answering !== null) {
      const id = s.answering;
      const p = promptInFocus(s);
      const c = cmd(key, 'prompt');
      const a = cmd(key, 'answering');
      if (a === 'prompt.leave') {
        d({ type: 'answering', id: null });
        d({ type: 'flash', flash: null });
      } else if (a === 'prompt.details') {
        d({ type: 'view', view: 'prompts' });
        if (p) {
          const at = s.prompts.indexOf(p);
          d({ type: 'list.move', list: 'prompts', to: 'top' });
          d({ type: 'list.move', list: 'prompts', to: 'delta', delta: at });
        }
      } else if (key.name === '?') return false;
      else if (!p) flash(`ask ${id} is no longer pending (answered elsewhere or expired): esc goes back`, 'error');
      else if (c) answer(p, c);
      else flash(`answering ask ${id}: a/t/A/d/D answer it, esc leaves it`);
      return true;
    }
    const p = promptInFocus(s);
    if (p) {
      const c = cmd(key, 'prompt');
      if (!c) return false;
      answer(p, c);
      return true;
    }
    const banner = bannerPrompt(s);
    if (banner && !s.help && cmd(key, 'banner') === 'prompt.answer') {
      d({ type: 'answering', id: banner.id });
      return true;
    }
    return false;
  };

  const taskCommand = (c: Command): boolean => {
    const s = get();
    const ids = targets(s);
    if (c === 'task.open') {
      if (!s.queue.selectedId) return true;
      d({ type: 'detail.open', id: s.queue.selectedId });
      void controller.loadDetail();
    } else if (c === 'task.approve') {
      if (ids.length === 0) flash('no task selected', 'error');
      else if (ids.length > 1) d({ type: 'dialog.open', dialog: { kind: 'confirm', purpose: 'bulkApprove', message: `Approve ${ids.length} marked tasks?`, targets: ids } });
      else void controller.taskAction('approve', ids);
    } else if (c === 'task.reject') {
      if (ids.length === 0) flash('no task selected', 'error');
      else d({ type: 'dialog.open', dialog: { kind: 'input', purpose: 'reject', label: `reject ${ids.length === 1 ? ids[0] : `${ids.length} tasks`}: reason`, value: '', targets: ids } });
    } else if (c === 'task.abort') {
      const id = s.detail ? s.detail.id : s.queue.selectedId;
      if (!id) flash('no task selected', 'error');
      else d({ type: 'dialog.open', dialog: { kind: 'confirm', purpose: 'abort', message: `Abort ${id}?`, targets: [id] } });
    } else if (c === 'task.mark') d({ type: 'queue.mark' });
    else if (c === 'queue.sort') {
      d({ type: 'queue.order', order: ORDERS[(ORDERS.indexOf(s.queue.order) + 1) % ORDERS.length] ?? 'newest' });
      void controller.loadQueue();
    } else if (c === 'queue.filter') {
      const current = describeFilter(s.queue.filter);
      d({ type: 'dialog.open', dialog: { kind: 'input', purpose: 'filter', label: s.hosts ? 'filter (text, status:NAME, host:NAME)' : 'filter (text, status:NAME)', value: current, targets: [current] } });
    } else return false;
    return true;
  };

  const detailLayer = (key: KeyEvent): boolean => {
    const s = get();
    if (!s.detail) return false;
    if (key.name === 'esc' || key.name === 'q') {
      d({ type: 'detail.close' });
      return true;
    }
    const c = cmd(key, 'detail');
    if (c === 'detail.scrollDown') d({ type: 'detail.scroll', delta: 1 });
    else if (c === 'detail.scrollUp') d({ type: 'detail.scroll', delta: -1 });
    else if (c === 'detail.ask') {
      const off = s.detail.assistant?.history?.info.state === 'off';
      if (off) flash(s.detail.assistant?.history?.info.reason ?? 'the assistant is off', 'error');
      else d({ type: 'dialog.open', dialog: { kind: 'input', purpose: 'ask', label: `ask the assistant about ${s.detail.id}`, value: '', targets: [s.detail.id] } });
    }
    else {
      // The task actions (the keymap's onTask bindings) act on the task in the detail; the engine decides
      // whether its status allows them, as it does from the Queue.
      const q = cmd(key, 'queue');
      if (q && bindingOf(q).onTask) return taskCommand(q);
      return false;
    }
    return true;
  };

  const viewLayer = (key: KeyEvent): boolean => {
    const s = get();
    const lc = cmd(key, 'list');
    const pageSize = Math.max(1, s.queue.pageSize);
    if (s.view === 'queue') {
      if (lc) {
        const moves: Record<string, () => void> = {
          'move.down': () => d({ type: 'queue.move', to: 'delta', delta: 1 }),
          'move.up': () => d({ type: 'queue.move', to: 'delta', delta: -1 }),
          'move.top': () => d({ type: 'queue.move', to: 'top' }),
          'move.bottom': () => d({ type: 'queue.move', to: 'bottom' }),
          'page.down': () => d({ type: 'queue.move', to: 'delta', delta: pageSize }),
          'page.up': () => d({ type: 'queue.move', to: 'delta', delta: -pageSize }),
        };
        moves[lc]?.();
        void controller.loadQueue();
        return true;
      }
      const c = cmd(key, 'queue');
      return c ? taskCommand(c) : false;
    }
    const list = s.view;
    if (lc) {
      const to = lc === 'move.top' ? 'top' : lc === 'move.bottom' ? 'bottom' : 'delta';
      const delta = { 'move.down': 1, 'move.up': -1, 'page.down': pageSize, 'page.up': -pageSize }[lc as string] ?? 0;
      d({ type: 'list.move', list, to, delta });
      return true;
    }
    if (list === 'alerts' && cmd(key, 'alerts') === 'alert.ack') {
      const a = listItems(s, 'alerts')[selectedIndex(s, 'alerts')] as Alert | undefined;
      if (!a) flash('no alert selected', 'error');
      else if (a.acked_by) flash(`${a.id} was already acknowledged by ${a.acked_by}`);
      else void controller.ackAlert(a.id);
      return true;
    }
    return false;
  };

  const globalLayer = (key: KeyEvent): boolean => {
    const s = get();
    const c = cmd(key, 'global');
    switch (c) {
      case 'view.queue':
      case 'view.prompts':
      case 'view.alerts':
      case 'view.agents':
      case 'view.ledger':
        d({ type: 'view', view: c.slice(5) as ViewName });
        return true;
      case 'view.next':
      case 'view.prev':
        d({ type: 'view.cycle', delta: c === 'view.next' ? 1 : -1 });
        return true;
      case 'help':
        d({ type: 'help', open: true });
        return true;
      case 'command':
        d({ type: 'dialog.open', dialog: { kind: 'input', purpose: 'command', label: ':', value: '', targets: [] } });
        return true;
      case 'quit':
        quit();
        return true;
      case 'back':
        // esc clears a filter first, then the marks, then the message line.
        if ((s.view === 'queue' && (s.queue.filter.text || s.queue.filter.status)) || s.queue.filter.host) {
          d({ type: 'queue.filter', filter: { text: '', status: null } });
          void controller.loadQueue();
        } else if (s.queue.marks.length > 0) d({ type: 'queue.unmarkAll' });
        else d({ type: 'flash', flash: null });
        return true;
      default:
        return false;
    }
  };

  const offs = [
    dispatcher.register(PRIORITY.exit, exitLayer),
    dispatcher.register(PRIORITY.dialog, dialogLayer),
    dispatcher.register(PRIORITY.help, helpLayer),
    dispatcher.register(PRIORITY.prompt, promptLayer),
    dispatcher.register(PRIORITY.detail, detailLayer),
    dispatcher.register(PRIORITY.view, viewLayer),
    dispatcher.register(PRIORITY.global, globalLayer),
  ];
  return () => offs.forEach((off) => off());
}
