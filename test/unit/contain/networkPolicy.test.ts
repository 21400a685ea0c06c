// The network laws of DESIGN.md §11, pure: canonical destinations, deny beats allow, no glob reaches an
// address, special addresses only by an exact rule, ports only as named.
import { describe, expect, it } from 'vitest';
import { checkAddress, compileNetwork, decideName, isSpecialAddress, parseDestination, type Destination } from '../../../src/engine/contain/networkPolicy.js';
import { addNetworkRule } from '../../../src/engine/contain/networkRuleEdit.js';
import { parsePolicyText } from '../../../src/engine/firewall/index.js';

const dest = (h: string, p = 443) => parseDestination(h, p) as Destination;
const net = compileNetwork({ default: 'ask', allow: ['registry.npmjs.org:443', '*.github.com', '127.0.0.2:8080', '[::1]:9000', 'any.example:*'], deny: ['*.pastebin.com', 'evil.github.com'] });

describe('destinations', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['[::ffff:127.0.0.1]', '127.0.0.1'],
    ['[::ffff:7f00:1]', '127.0.0.1'],
    ['[0:0:0:0:0:ffff:7f00:1]', '127.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['[::1]', '::1'],
  ])('%s is the address %s, and no rule names it', (written, canonical) => {
    const d = dest(written);
    expect(d).toMatchObject({ host: canonical, literal: true });
    expect(decideName(net, d).verdict).toBe('deny');
  });

  it('names are lower-cased without a trailing dot; junk is refused', () => {
    expect(dest('Registry.NPMJS.org.')).toMatchObject({ host: 'registry.npmjs.org', literal: false });
    for (const bad of ['a b', 'foo.0x10', '', 'x'.repeat(300), '[::1', 'a/b', 'user@host']) expect(parseDestination(bad, 443)).toHaveProperty('error');
    for (const port of [0, 65536, 1.5, NaN]) expect(parseDestination('example.com', port)).toHaveProperty('error');
  });
});

describe('decisions', () => {
  it('allow rules by name and port; a rule without a port means 80 and 443; deny beats allow', () => {
    expect(decideName(net, dest('registry.npmjs.org')).verdict).toBe('allow');
    expect(decideName(net, dest('registry.npmjs.org', 8443)).verdict).toBe('ask');
    expect(decideName(net, dest('api.github.com', 80)).verdict).toBe('allow');
    expect(decideName(net, dest('api.github.com', 22)).verdict).toBe('ask');
    expect(decideName(net, dest('github.com')).verdict).toBe('ask');
    expect(decideName(net, dest('evil.github.com')).verdict).toBe('deny');
    expect(decideName(net, dest('x.pastebin.com')).verdict).toBe('deny');
    expect(decideName(net, dest('any.example', 5)).verdict).toBe('allow');
  });

  it('special addresses only by an exact rule, with its port', () => {
    expect(decideName(net, dest('127.0.0.2', 8080)).verdict).toBe('allow');
    expect(decideName(net, dest('127.0.0.2', 8081)).verdict).toBe('deny');
    expect(decideName(net, dest('[::1]', 9000)).verdict).toBe('allow');
    expect(decideName(net, dest('[::ffff:127.0.0.2]', 8080)).verdict).toBe('allow');
    for (const a of ['169.254.169.254', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '224.0.0.1', '[fd00:ec2::254]', '[fe80::1]', '[64:ff9b::7f00:1]'])
      expect(decideName(net, dest(a, 80))).toMatchObject({ verdict: 'deny' });
    expect(isSpecialAddress('8.8.8.8')).toBe(false);
    expect(decideName(net, dest('8.8.8.8', 53)).verdict).toBe('ask');
  });

  it('a glob never reaches an address; a resolved special address is refused unless named', () => {
    const wide = compileNetwork({ default: 'allow', allow: ['*'], deny: [] });
    expect(decideName(wide, dest('127.0.0.1', 80)).verdict).toBe('deny');
    expect(checkAddress(wide, '127.0.0.1', 80).ok).toBe(false);
    expect(checkAddress(wide, '::ffff:10.0.0.1', 80).ok).toBe(false);
    expect(checkAddress(wide, '93.184.216.34', 80).ok).toBe(true);
    expect(checkAddress(net, '127.0.0.2', 8080).ok).toBe(true);
  });
});

describe('allow always', () => {
  it('writes host:port into network.allow, the agent section when an agent asked', () => {
    const text = 'version: 1\npolicy: ask\nagents: {}\n';
    const global = addNetworkRule(text, 'example.com:443', null);
    expect(parsePolicyText(global).policy.file.network.allow).toEqual(['example.com:443']);
    expect(addNetworkRule(global, 'example.com:443', null)).toBe(global);
    const agent = addNetworkRule(text, 'pypi.org:443', 'build-bot');
    expect(parsePolicyText(agent).policy.file.agents['build-bot']!.network!.allow).toEqual(['pypi.org:443']);
  });
});
