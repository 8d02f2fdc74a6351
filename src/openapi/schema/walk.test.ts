import { allowsNull, branchExcluded, bundledTarget, deref, flatten, objectProperties, refsOf, typeAllowed, withBundle } from './walk';

// The layout prepare.ts gives an operation: component schemas under `__bundled__`, refs into it.
const operation = {
  __bundled__: {
    Status: { type: 'string', enum: ['queued', 'completed'] },
    'a/b': { type: 'integer' },
    Alias: { $ref: '#/__bundled__/Status' },
    Base: { type: 'object', properties: { id: { type: 'string' }, created_at: { type: 'integer' } }, required: ['id'] },
    Run: {
      allOf: [{ $ref: '#/__bundled__/Base' }, { type: 'object', properties: { status: { $ref: '#/__bundled__/Status' }, id: { const: 'run' } }, required: ['status'] }],
    },
    Item: { anyOf: [{ $ref: '#/__bundled__/Run' }, { type: 'null' }] },
  },
};
const refs = refsOf(operation);

describe('refs into the bundle', () => {
  test('a ref names its component, escaped or percent-encoded; other refs name nothing', () => {
    expect(bundledTarget('#/__bundled__/Status', operation.__bundled__)).toBe(operation.__bundled__.Status);
    expect(bundledTarget('#/__bundled__/a~1b', operation.__bundled__)).toBe(operation.__bundled__['a/b']);
    expect(bundledTarget('#/__bundled__/a%2Fb', operation.__bundled__)).toBe(operation.__bundled__['a/b']);
    expect(bundledTarget('#/components/schemas/Status', operation.__bundled__)).toBeUndefined();
  });

  test('deref follows chains of refs, and gives up on unknown ones', () => {
    expect(deref({ $ref: '#/__bundled__/Alias' }, refs)).toBe(operation.__bundled__.Status);
    expect(deref({ $ref: '#/__bundled__/Missing' }, refs)).toBeUndefined();
    expect(refsOf(operation)).toBe(refs);
  });

  test('withBundle: the schema without its draft-07 stamp, with the bundle beside it', () => {
    expect(withBundle({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' }, operation)).toEqual({ type: 'string', __bundled__: operation.__bundled__ });
  });
});

describe('reading a schema', () => {
  test('allowsNull through refs and unions', () => {
    expect(allowsNull({ $ref: '#/__bundled__/Item' }, refs)).toBe(true);
    expect(allowsNull({ $ref: '#/__bundled__/Run' }, refs)).toBe(false);
    expect(allowsNull({ type: ['string', 'null'] }, refs)).toBe(true);
    expect(allowsNull({ enum: ['a'] }, refs)).toBe(false);
  });

  test("objectProperties: allOf parts merged (the first part's declaration wins, the schema's own wins over all); unions have none", () => {
    const props = objectProperties({ $ref: '#/__bundled__/Run' }, refs)!;
    expect([...props.keys()].sort()).toEqual(['created_at', 'id', 'status']);
    expect(props.get('id')).toEqual({ type: 'string' });
    expect(objectProperties({ allOf: [{ $ref: '#/__bundled__/Run' }], properties: { id: { const: 'own' } } }, refs)!.get('id')).toEqual({ const: 'own' });
    expect(objectProperties({ $ref: '#/__bundled__/Item' }, refs)).toBeUndefined();
  });

  test('flatten merges refs and allOf parts: every declaration and every required name', () => {
    const flat = flatten({ $ref: '#/__bundled__/Run' }, refs);
    expect([...flat.required].sort()).toEqual(['id', 'status']);
    expect(flat.properties.get('id')).toHaveLength(2);
    expect(flat.types).toEqual(['object']);
    expect(flatten({ $ref: '#/__bundled__/Item' }, refs).unions).toHaveLength(1);
    expect(typeAllowed(flatten({ type: 'number' }, refs), 3)).toBe(true);
    expect(typeAllowed(flatten({ type: 'integer' }, refs), 'three')).toBe(false);
  });

  test("branchExcluded: a branch whose `type` tag cannot be the value's", () => {
    const message = { properties: { type: { const: 'message' } } };
    const call = { properties: { type: { enum: ['function_call', 'custom_tool_call'] } } };
    expect(branchExcluded(message, { type: 'function_call' }, refs)).toBe(true);
    expect(branchExcluded(call, { type: 'function_call' }, refs)).toBe(false);
    expect(branchExcluded(message, { role: 'assistant' }, refs)).toBe(false);
  });
});
