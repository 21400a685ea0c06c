import { describe, it, expect } from 'vitest';
import { parseLine } from '../../../src/engine/proxy/jsonRpc.js';

describe('parseLine', () => {
  it('classifies requests, notifications, responses and batches', () => {
    expect(parseLine('{"jsonrpc":"2.0","id":1,"method":"a"}')).toMatchObject({ ok: true, message: { kind: 'request', id: 1, method: 'a' } });
    expect(parseLine('{"jsonrpc":"2.0","id":"x","method":"a","params":{"k":1}}')).toMatchObject({ ok: true, message: { kind: 'request', id: 'x', params: { k: 1 } } });
    expect(parseLine('{"jsonrpc":"2.0","method":"n"}')).toMatchObject({ ok: true, message: { kind: 'notification', method: 'n' } });
    expect(parseLine('{"jsonrpc":"2.0","id":1,"result":null}')).toMatchObject({ ok: true, message: { kind: 'response', id: 1 } });
    expect(parseLine('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}')).toMatchObject({ ok: true, message: { kind: 'response', id: null } });
    expect(parseLine('[{"jsonrpc":"2.0","method":"n"}]')).toMatchObject({ ok: true, message: { kind: 'batch' } });
  });

  it.each([
    ['nope', -32700, null],
    ['[]', -32600, null],
    ['42', -32600, null],
    ['{"id":3,"method":"m"}', -32600, 3],
    ['{"jsonrpc":"1.0","id":"q","method":"m"}', -32600, 'q'],
    ['{"jsonrpc":"2.0","id":{"o":1},"method":"m"}', -32600, null],
    ['{"jsonrpc":"2.0","id":4,"method":7}', -32600, 4],
    ['{"jsonrpc":"2.0","id":5}', -32600, 5],
    ['{"jsonrpc":"2.0","id":6,"result":1,"error":{"code":1,"message":"m"}}', -32600, 6],
    ['{"jsonrpc":"2.0","id":7,"error":{"code":"x"}}', -32600, 7],
  ])('rejects %s with code %i and id %j', (line, code, id) => {
    expect(parseLine(line)).toMatchObject({ ok: false, code, id });
  });
});
