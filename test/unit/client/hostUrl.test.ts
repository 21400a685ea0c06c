// Host URLs for --host (DESIGN §13): what is accepted, what is refused, and the ssh command line built.
import { describe, expect, it } from 'vitest';
import { parseHostUrl, sshArgv } from '../../../src/client/hostTransport.js';

describe('parseHostUrl', () => {
  it('reads unix and ssh URLs', () => {
    expect(parseHostUrl('unix:///var/gh/gatehouse.sock')).toEqual({ kind: 'unix', url: 'unix:///var/gh/gatehouse.sock', socket: '/var/gh/gatehouse.sock' });
    expect(parseHostUrl('ssh://gw2')).toEqual({ kind: 'ssh', url: 'ssh://gw2', host: 'gw2' });
    expect(parseHostUrl('ssh://ops@gw2.example.net:2222')).toEqual({ kind: 'ssh', url: 'ssh://ops@gw2.example.net:2222', host: 'gw2.example.net', user: 'ops', port: 2222 });
  });

  it.each([
    ['ssh://-oProxyCommand=x', /not a host name/],
    ['ssh://-p@gw', /not a user name/],
    ['ssh://gw;rm', /not a host name/],
    ['ssh://gw:0', /port 0/],
    ['ssh://gw:70000', /port 70000/],
    ['ssh://a:b@gw', /no password/],
    ['unix://gatehouse.sock', /absolute socket path/],
    ['unix:///etc/passwd', /gatehouse\.sock/],
    ['tcp://1.2.3.4:1', /use unix:/],
    ['', /use unix:/],
  ])('refuses %s', (url, why) => {
    expect(() => parseHostUrl(url)).toThrow(why);
  });
});

describe('sshArgv', () => {
  it('runs dial-stdio in batch mode, the host after --', () => {
    const e = parseHostUrl('ssh://ops@gw2:2222');
    if (e.kind !== 'ssh') throw new Error('ssh');
    expect(sshArgv(e, {})).toEqual(['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-l', 'ops', '-p', '2222', '--', 'gw2', 'gatehouse', 'dial-stdio']);
    expect(sshArgv(e, { GATEHOUSE_SSH_COMMAND: 'ssh  -F /x/cfg' }).slice(0, 3)).toEqual(['ssh', '-F', '/x/cfg']);
  });
});
