// The fast path for `gatehouse status` must take only the plain forms and leave everything else to yargs.
import { describe, expect, it } from 'vitest';
import { fastStatusArgs } from '../../../src/cli/statusFastPath.js';

describe('status fast path: which arguments it takes', () => {
  it.each([
    [['status'], { json: false, tmux: false }],
    [['status', '--json'], { json: true, tmux: false }],
    [['--state-dir', '/s', 'status', '--tmux'], { json: false, tmux: true, 'state-dir': '/s', stateDir: '/s' }],
    [['status', '--state-dir=/s', '--config', 'c.yaml', '--json', '--tmux'], { json: true, tmux: true, 'state-dir': '/s', stateDir: '/s', config: 'c.yaml' }],
  ])('%j', (args, expected) => expect(fastStatusArgs(args)).toEqual(expected));

  it.each([
    [[]],
    [['tasks', 'list']],
    [['status', '--help']],
    [['status', '-h']],
    [['status', '--version']],
    [['status', '--no-json']],
    [['status', '--json=false']],
    [['status', '--json', '--json']],
    [['status', '--state-dir']],
    [['status', '--state-dir', '--json']],
    [['status', '--state-dir=']],
    [['status', 'extra']],
    [['status', 'status']],
    [['status', '--bogus']],
    [['completion', 'status']],
    [['--json']],
  ])('%j goes to yargs', (args) => expect(fastStatusArgs(args)).toBeNull());
});
