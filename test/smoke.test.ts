import { startMock, sdk } from './helpers/server';
test('smoke', async () => {
  const mock = await startMock();
  try {
    const client = sdk(mock);
    const models = await client.models.list();
    expect(Array.isArray(models.data)).toBe(true);
  } finally {
    await mock.close();
  }
});
