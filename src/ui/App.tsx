// The operator console: header, prompt banner, tabs, the view in front, message line and key hints.
import React, { useEffect, useMemo } from 'react';
import { Box, useApp, useInput, useStdout } from 'ink';
import { Text } from './SafeText.js';
import type { EngineClient } from '../client/engineClient.js';
import { ConsoleController, type ControllerOptions } from './consoleController.js';
import { createStore, initialState, VIEWS, type ConsoleState, type Store, type ViewName } from './consoleState.js';
import { bannerPrompt, registerConsoleKeys } from './consoleKeys.js';
import { KeyDispatcher } from './keyDispatcher.js';
import { keyEvents } from './keys.js';
import { footerHints, taskActions, type Scope } from './keymap.js';
import { layoutFor, FLOOR } from './layout.js';
import { describeFilter, filterHint } from './queueFilter.js';
import { fit } from './format.js';
import { ClockContext, StoreContext, useConsole, useNow, useTerminalSize, useTheme } from './hooks.js';
import { Header } from './Header.js';
import { PromptBanner } from './PromptBanner.js';
import { QueueView } from './QueueView.js';
import { PromptsView } from './PromptsView.js';
import { AlertsView } from './AlertsView.js';
import { AgentsView } from './AgentsView.js';
import { LedgerView } from './LedgerView.js';
import { DetailView } from './DetailView.js';
import { HelpView } from './HelpView.js';

export interface AppProps {
  client: EngineClient;
  readonly?: boolean;
  demo?: boolean;
  compact?: boolean;
  /** The engine runs in this process: quitting stops it (asks first while other consoles are attached). */
  hosting?: boolean;
  /** A warning shown on the message line at start. */
  notice?: string;
  controller?: ControllerOptions;
  /** Called once when the operator quits (q at the root, ctrl-c twice, :quit). */
  onQuit?: () => void;
  /** The clock for ages and countdowns (tests pin it). */
  now?: () => number;
}

const TAB_TITLE: Record<ViewName, [string, string]> = {
  queue: ['Queue', 'Q'],
  prompts: ['Prompts', 'P'],
  alerts: ['Alerts', 'A'],
  agents: ['Agents', 'Ag'],
  ledger: ['Ledger', 'L'],
};

function tabCount(s: ConsoleState, v: ViewName): string {
  if (v === 'queue') return s.queue.loaded ? String(s.queue.total) : '';
  if (v === 'prompts') return String(s.prompts.length);
  if (v === 'alerts') return String(s.alerts.filter((a) => !a.acked_by).length);
  if (v === 'agents') return String(s.agents.length);
  return '';
}

function Tabs(props: { width: number; compact: boolean }): React.ReactElement {
  const theme = useTheme();
  const s = useConsole((x) => x);
  // Filter, sort and marks are the Queue's: shown only where they apply.
  const onQueue = s.view === 'queue' && !s.detail && !s.help;
  const extra = onQueue
    ? [
        describeFilter(s.queue.filter) ? `filter: ${describeFilter(s.queue.filter)}` : '',
        s.queue.order !== 'newest' ? `sort: ${s.queue.order}` : '',
        s.queue.marks.length ? `marked: ${s.queue.marks.length}` : '',
      ].filter(Boolean).join('  ')
    : '';
  const render = (short: boolean) =>
    VIEWS.map((v, i) => {
      const n = tabCount(s, v);
      const [full, abbr] = TAB_TITLE[v];
      const text = short ? `${i + 1}${abbr}${n ? ` ${n}` : ''}` : `${i + 1} ${full}${n ? ` (${n})` : ''}`;
      return v === s.view && !s.detail ? `[${text}]` : ` ${text} `;
    }).join(short ? '' : ' ');
  // The short tab titles make room for the filter label on a narrow terminal (80 columns).
  const long = render(props.compact);
  const tabs = !props.compact && extra && Array.from(long).length + 2 + Array.from(extra).length > props.width - 1 ? render(true) : long;
  const left = fit(tabs, props.width - 1);
  const room = props.width - 1 - Array.from(left).length - 2;
  return (
    <Text wrap="truncate-end">
      {left}
      {extra && room > 8 ? <Text color={theme.text.accent}>{'  ' + fit(extra, room)}</Text> : null}
    </Text>
  );
}

function scopesFor(s: ConsoleState, banner: boolean): Scope[] {
  if (s.help) return ['help'];
  // While answering an ask only its keys work, so only they are offered.
  if (s.answering !== null) return ['prompt', 'answering'];
  const ask: Scope[] = banner ? ['banner'] : [];
  if (s.detail) return [...ask, 'detail', 'global'];
  const viewScope: Record<ViewName, Scope[]> = {
    queue: ['list', 'queue'],
    prompts: ['list', 'prompt'],
    alerts: ['list', 'alerts'],
    agents: ['list'],
    ledger: ['list'],
  };
  return [...ask, ...viewScope[s.view], 'global'];
}

function MessageLine(props: { width: number }): React.ReactElement {
  const theme = useTheme();
  const dialog = useConsole((s) => s.dialog);
  const flash = useConsole((s) => s.flash);
  const hosts = useConsole((s) => s.hosts);
  const lockdown = useConsole((s) => (s.status?.firewall.lockdown ? (s.status.firewall.lockdown_reason ?? 'policy changed outside gatehouse') : null));
  if (dialog?.kind === 'input') {
    return (
      <Text wrap="truncate-end">
        <Text color={theme.text.accent} bold>{` ${dialog.label}${dialog.purpose === 'command' ? '' : ': '}`}</Text>
        {fit(dialog.value, props.width - dialog.label.length - 8)}
        <Text inverse> </Text>
        <Text color={theme.text.secondary}>{dialog.purpose === 'filter' ? `  ${filterHint(dialog.value, (hosts ?? []).map((h) => h.name))}` : '  enter ok · esc cancel'}</Text>
      </Text>
    );
  }
  if (dialog?.kind === 'confirm') {
    return (
      <Text wrap="truncate-end" color={theme.state.warn} bold>
        {' ' + fit(`${dialog.message}  y yes · n no`, props.width - 2)}
      </Text>
    );
  }
  if (flash) {
    const color = flash.tone === 'error' ? theme.state.error : flash.tone === 'ok' ? theme.state.ok : undefined;
    return <Text color={color} wrap="truncate-end">{' ' + fit(flash.text, props.width - 2)}</Text>;
  }
  if (lockdown) {
    // A lockdown needs a human: say why and how to end it whenever nothing more urgent is on this line.
    return (
      <Text color={theme.state.error} bold wrap="truncate-end">
        {' ' + fit(`firewall LOCKDOWN: ${lockdown}. Every command is denied until the policy is trusted (:trust)`, props.width - 2)}
      </Text>
    );
  }
  return <Text> </Text>;
}

function Rule(props: { width: number }): React.ReactElement {
  const theme = useTheme();
  return <Text color={theme.text.secondary}>{'─'.repeat(Math.max(0, props.width - 1))}</Text>;
}

export function ConsoleScreen(props: { readonly: boolean; demo: boolean; compact: boolean }): React.ReactElement {
  const { columns, rows } = useTerminalSize();
  const store = React.useContext(StoreContext) as Store;
  const s = useConsole((x) => x);
  const banner = s.answering !== null || (s.prompts.length > 0 && s.view !== 'prompts');
  const layout = layoutFor(columns, rows, props.compact, banner);
  // Tick once a second only while something on screen counts time (prompt countdowns, ages).
  const now = useNow(1000, true);
  const theme = useTheme();

  useEffect(() => {
    store.dispatch({ type: 'queue.pageSize', pageSize: layout.pageSize });
  }, [store, layout.pageSize]);

  if (layout.tooSmall) {
    return (
      <Text wrap="truncate-end">{`terminal too small (${columns}×${rows}); gatehouse needs at least ${FLOOR.columns}×${FLOOR.rows}`}</Text>
    );
  }
  const width = columns;
  const view = s.help ? (
    <HelpView width={width} height={layout.viewHeight} readonly={props.readonly} />
  ) : s.detail ? (
    <DetailView width={width} height={layout.viewHeight} now={now} />
  ) : s.view === 'queue' ? (
    <QueueView width={width} compact={layout.compact} now={now} />
  ) : s.view === 'prompts' ? (
    <PromptsView width={width} height={layout.viewHeight} compact={layout.compact} now={now} readonly={props.readonly} />
  ) : s.view === 'alerts' ? (
    <AlertsView width={width} height={layout.viewHeight} compact={layout.compact} />
  ) : s.view === 'agents' ? (
    <AgentsView width={width} height={layout.viewHeight} compact={layout.compact} />
  ) : (
    <LedgerView width={width} height={layout.viewHeight} compact={layout.compact} />
  );
  return (
    <Box flexDirection="column" width={width} height={rows - 1}>
      <Header status={s.status} hosts={s.hosts} connected={s.connected} reconnecting={s.reconnecting} demo={props.demo} compact={layout.compact} now={now} width={width} />
      {layout.compact ? null : <Rule width={width} />}
      {banner ? (
        <>
          <PromptBanner prompt={bannerPrompt(s)} pending={s.prompts.length} answering={s.answering} now={now} width={width} compact={layout.compact} readonly={props.readonly} mode={s.status?.firewall.mode ?? null} />
          {layout.compact ? null : <Rule width={width} />}
        </>
      ) : null}
      <Tabs width={width} compact={layout.compact} />
      {/* Every line is cut to the width already; clipping only vertically spares ink measuring and
          slicing each line again on every frame (a third of a full Queue frame's cost). */}
      <Box flexDirection="column" height={layout.viewHeight} overflowY="hidden">
        {view}
      </Box>
      <MessageLine width={width} />
      {layout.compact ? null : <Rule width={width} />}
      <Text color={theme.text.secondary} wrap="truncate-end">
        {' ' + footerHints(scopesFor(s, banner), props.readonly, width - 2, s.detail && s.answering === null ? taskActions(s.detail.task?.status ?? null, props.readonly) : [])}
      </Text>
    </Box>
  );
}

/** Builds the store, controller and key pipeline once, and feeds ink's input into the dispatcher. */
export function App(props: AppProps): React.ReactElement {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const readonly = props.readonly ?? false;
  const parts = useMemo(() => {
    // The first page asked for is already the size the screen shows: no second fetch on the first frame.
    const first = layoutFor(stdout.columns || 80, stdout.rows || 24, props.compact ?? false, false);
    const store = createStore(props.notice ? { ...initialState(first.pageSize), flash: { text: props.notice, tone: 'error' }, flashAt: Date.now() } : initialState(first.pageSize));
    const controller = new ConsoleController(props.client, store, props.controller);
    const dispatcher = new KeyDispatcher();
    return { store, controller, dispatcher };
    // The client is fixed for the life of the console.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const { store, controller, dispatcher } = parts;
  const clock = useMemo(() => props.now ?? (() => Date.now()), [props.now]);

  const hosting = props.hosting ?? false;
  useEffect(() => registerConsoleKeys(dispatcher, { store, controller, readonly, hosting }), [dispatcher, store, controller, readonly, hosting]);
  useEffect(() => {
    void controller.start();
    return () => controller.stop();
  }, [controller]);
  useEffect(() => {
    let done = false;
    const check = () => {
      if (!done && store.getState().quit) {
        done = true;
        props.onQuit?.();
        exit();
      }
    };
    return store.subscribe(check);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, exit]);
  // Loading a page after a resize changes pageSize: the controller fetches only when the query changed.
  useEffect(
    () =>
      store.subscribe(() => {
        void controller.loadQueue();
        controller.viewChanged();
      }),
    [store, controller],
  );

  useInput((input, key) => {
    for (const ev of keyEvents(input, key)) {
      if (store.getState().quit) return;
      dispatcher.dispatch(ev);
    }
  });

  return (
    <ClockContext.Provider value={clock}>
      <StoreContext.Provider value={store}>
        <ConsoleScreen readonly={readonly} demo={props.demo ?? false} compact={props.compact ?? false} />
      </StoreContext.Provider>
    </ClockContext.Provider>
  );
}
