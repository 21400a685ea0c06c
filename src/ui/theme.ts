// Semantic colour tokens. Colour carries status and severity only, never decoration, and every screen
// still reads with NO_COLOR (https://no-color.org: any non-empty value turns colour off).
import type { Severity } from '../shared/alert.js';
import type { TaskStatus } from '../shared/task.js';
import type { ApproverLinkState } from '../shared/events.js';

export type Color = string | undefined;

export interface Theme {
  colored: boolean;
  text: { primary: Color; secondary: Color; accent: Color };
  state: { ok: Color; warn: Color; error: Color; info: Color };
  status: Record<TaskStatus, Color>;
  severity: Record<Severity, Color>;
  link: Record<ApproverLinkState, Color>;
}

export function makeTheme(env: NodeJS.ProcessEnv = process.env): Theme {
  const colored = !(env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '');
  const c = (name: string): Color => (colored ? name : undefined);
  return {
    colored,
    text: { primary: undefined, secondary: c('gray'), accent: c('cyan') },
    state: { ok: c('green'), warn: c('yellow'), error: c('red'), info: c('blue') },
    status: {
      pending: c('gray'),
      pending_approval: c('yellow'),
      approved: c('cyan'),
      running: c('blue'),
      completed: c('green'),
      failed: c('red'),
      rejected: c('magenta'),
      aborted: c('red'),
    },
    severity: { P0: c('redBright'), P1: c('red'), P2: c('yellow'), P3: c('gray') },
    link: { online: c('green'), degraded: c('yellow'), fallback: c('red'), off: c('gray') },
  };
}
