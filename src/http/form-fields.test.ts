import { assembleFields, parseQuery } from './form-fields';

const fields = (text: string) => assembleFields(new URLSearchParams(text).entries());

describe('assembleFields', () => {
  test('plain keys', () => {
    expect(fields('model=gpt-4o&n=2')).toEqual({ model: 'gpt-4o', n: '2' });
  });

  test('a repeated key becomes an array', () => {
    expect(fields('a=1&a=2&a=3')).toEqual({ a: ['1', '2', '3'] });
  });

  test('key[] is an array even with one value (the SDK array format)', () => {
    expect(fields('include[]=a')).toEqual({ include: ['a'] });
    expect(fields('include[]=a&include[]=b')).toEqual({ include: ['a', 'b'] });
  });

  test('key[sub] builds objects, nested', () => {
    expect(fields('metadata[team]=a&metadata[env]=prod&a[b][c]=d')).toEqual({ metadata: { team: 'a', env: 'prod' }, a: { b: { c: 'd' } } });
  });

  test('key[][sub] builds an array of objects', () => {
    expect(fields('items[][x]=1&items[][x]=2')).toEqual({ items: [{ x: '1' }, { x: '2' }] });
  });

  test('arrays inside objects', () => {
    expect(fields('chunking[ids][]=1&chunking[ids][]=2')).toEqual({ chunking: { ids: ['1', '2'] } });
  });

  test('keeps non-string values (uploaded files) as they are', () => {
    const file = { filename: 'a.png', data: Buffer.from('x') };
    expect(assembleFields([['image[]', file], ['image[]', file]])).toEqual({ image: [file, file] });
  });

  test('never writes to a prototype', () => {
    const out = fields('__proto__[polluted]=1&constructor[prototype][polluted]=1&a[__proto__][polluted]=1&ok=1');
    expect(out).toEqual({ ok: '1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  test('keys that are not in bracket form are taken literally', () => {
    expect(fields('a]b=1&[x]=2')).toEqual({ 'a]b': '1', '[x]': '2' });
  });
});

describe('parseQuery', () => {
  test('reads the SDK query format', () => {
    expect(parseQuery(new URLSearchParams('include[]=file_search_call.results&limit=10&order=desc'))).toEqual({
      include: ['file_search_call.results'],
      limit: '10',
      order: 'desc',
    });
  });
});
