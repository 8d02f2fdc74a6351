import { DEFAULT_LIMITS, MODELS, lookupModel, modelLimits } from './catalogue';

test('every model the issue names is listed once, with the API fields and limits', () => {
  const named = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o1', 'o3', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano',
    'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-3.5-turbo-instruct', 'davinci-002', 'babbage-002', 'text-embedding-3-small', 'text-embedding-3-large',
    'text-embedding-ada-002', 'dall-e-2', 'dall-e-3', 'gpt-image-1', 'whisper-1', 'tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-transcribe',
    'gpt-4o-mini-transcribe', 'omni-moderation-latest', 'text-moderation-latest', 'gpt-4o-realtime-preview', 'gpt-realtime'];
  for (const id of named) expect(lookupModel(id).match).toBe('exact');
  expect(new Set(MODELS.map((m) => m.id)).size).toBe(MODELS.length);
  for (const m of MODELS) {
    expect(m.object).toBe('model');
    // Unix seconds between the first public models and now, not milliseconds.
    expect(m.created).toBeGreaterThan(1_600_000_000);
    expect(m.created).toBeLessThan(Date.now() / 1000);
    expect(m.owned_by).toMatch(/^(system|openai|openai-internal)$/);
    expect(m.contextWindow).toBeGreaterThan(0);
  }
  expect(lookupModel('gpt-4o').model).toMatchObject({ created: 1715367049, owned_by: 'system', contextWindow: 128_000, maxOutputTokens: 16_384 });
  expect(lookupModel('text-embedding-3-large').model).toMatchObject({ embeddingDimensions: 3072, dimensionsConfigurable: true });
  expect(lookupModel('text-embedding-ada-002').model).toMatchObject({ embeddingDimensions: 1536, dimensionsConfigurable: false });
});

test('snapshots and fine-tunes take their family limits, the longest family first; unknown names the default', () => {
  expect(lookupModel('gpt-4o-2024-08-06')).toMatchObject({ match: 'family', model: { id: 'gpt-4o' } });
  expect(lookupModel('gpt-4o-mini-2024-07-18')).toMatchObject({ match: 'family', model: { id: 'gpt-4o-mini' } });
  expect(lookupModel('gpt-3.5-turbo-instruct-0914').model.id).toBe('gpt-3.5-turbo-instruct');
  expect(lookupModel('ft:gpt-4.1-nano:acme::abc123').model.id).toBe('gpt-4.1-nano');
  expect(lookupModel('gpt-4oo').match).toBe('default');
  expect(lookupModel('my-model')).toMatchObject({ match: 'default', model: DEFAULT_LIMITS });
  expect(modelLimits(42)).toEqual(DEFAULT_LIMITS);
});
