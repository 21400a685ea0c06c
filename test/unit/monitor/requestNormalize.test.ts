import { describe, it, expect } from 'vitest';
import { normalizeRequest, percentDecodeOnce, decodeEntities, foldComments } from '../../../src/engine/monitor/requestNormalize.js';

describe('request normalisation', () => {
  it('decodes repeatedly, folds case, plus and whitespace', () => {
    expect(normalizeRequest('/a?q=%2527UNION%2520%2553ELECT+1').text).toBe("/a?q='union select 1");
  });
  it('turns SQL comments into spaces but keeps MySQL executable comments', () => {
    expect(foldComments('un/**/ion/*x*/select')).toBe('un ion select');
    expect(normalizeRequest('/?id=1/*!50000union*/select').text).toBe('/?id=1 union select');
  });
  it('flags NUL bytes and CR/LF after decoding', () => {
    expect(normalizeRequest('/a.php%00.jpg').nullByte).toBe(true);
    expect(normalizeRequest('/a?x=%0d%0aSet-Cookie:1').crlf).toBe(true);
    expect(normalizeRequest('/a?x=1').nullByte).toBe(false);
  });
  it('keeps malformed escapes as written and decodes entities by their digits only', () => {
    expect(percentDecodeOnce('%zz%4')).toBe('%zz%4');
    expect(decodeEntities('j&#97v&#x61;&lt;')).toBe('java<');
  });
  it('lower-cases a target with nothing to decode and no character reference in its query', () => {
    expect(normalizeRequest('/API/Tasks?Limit=5&page=2&Sort=Name')).toEqual({
      text: '/api/tasks?limit=5&page=2&sort=name', path: '/api/tasks', nullByte: false, crlf: false,
    });
  });
  it('still decodes character references in a query and folds a raw space', () => {
    expect(normalizeRequest('/A?x=1&LT;Script&#62;').text).toBe('/a?x=1<script>');
    expect(normalizeRequest('/a?x=1&amp=2').text).toBe('/a?x=1&=2');
    expect(normalizeRequest('/A?q=union  SELECT').text).toBe('/a?q=union select');
  });
  it('bounds decoding rounds on deeply nested encodings', () => {
    let s = '<';
    for (let i = 0; i < 20; i++) s = encodeURIComponent(s);
    expect(normalizeRequest(`/a?q=${s}`).text).not.toContain('<');
  });
});
