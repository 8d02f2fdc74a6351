import { createPrismEngine } from './prism-engine';
import { loadSpec } from '../openapi/load-spec';
import { locateSpec } from '../openapi/locate';
import type { PreparedSpec } from '../openapi/prepare';
import type { Exchange } from '../pipeline/types';

/**
 * Dynamic mode (`Prefer: dynamic=true`) runs json-schema-faker, which writes into the schemas it
 * is handed. The operation's schemas are shared with the request validators (whose compiled code
 * reads them at run time: they threw, and answered 500, once faker had been at them), so the
 * engine must leave them as they were.
 */
let spec: PreparedSpec;
beforeAll(async () => {
  spec = (await loadSpec(locateSpec({ cwd: process.cwd(), env: process.env.OPENAI_MOCK_SPEC }), { dir: false })).spec;
});

test('dynamic answers leave the operations untouched', async () => {
  const engine = createPrismEngine();
  for (const iid of ['createResponse', 'createConversationItems', 'cancelResponse']) {
    const operation = spec.operations.find((o) => o.iid === iid)!;
    const before = JSON.stringify(operation);
    for (let i = 0; i < 30; i++) {
      const exchange = {
        request: { method: 'POST', path: '/v1/x', apiPath: '/x', params: {}, query: {}, headers: {}, body: { model: 'gpt-4o', input: 'hi' }, files: {}, contentType: 'application/json' },
        operation,
        operationId: iid,
        template: operation.path,
        responseMediaType: 'application/json',
        preferences: { dynamic: true },
        signal: new AbortController().signal,
      } as unknown as Exchange;
      const answer = await engine(exchange);
      expect(answer.status).toBe(200);
    }
    expect(JSON.stringify(operation)).toBe(before);
  }
});
