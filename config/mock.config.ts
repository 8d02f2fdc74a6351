import { chat, defineConfig, defineOverride } from 'openai-mock';

/**
 * The example config: `openai-mock --config config/mock.config.ts --watch`.
 *
 * Every chat completion answers "Hello World!!"; the modules in ../overrides, applied after this
 * one in file-name order, change that for some models (`echo`, `rate-limited`, `server-error`,
 * `slow`) and for requests that offer a `get_weather` tool.
 */
export default defineConfig({
  // Relative paths are read from this file's folder.
  overridesDir: '../overrides',
  overrides: [
    defineOverride({
      name: 'hello world',
      operation: 'createChatCompletion',
      response: (ctx) => chat.reply(ctx, 'Hello World!!'),
    }),
  ],
});
