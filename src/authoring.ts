/**
 * What config files and override modules use: `import { defineOverride, chat } from 'openai-mock'`
 * inside them resolves here (config/load-module.ts), so loading a config never needs the server
 * that loads it. The package's entry (index.ts) hands all of it on.
 */
export { defineConfig } from './config/define';
export type { Config } from './config/define';
export { defineOverride } from './overrides/define';
export { errors, delay } from './overrides/errors';
export type { ErrorOptions } from './overrides/errors';
export { chat } from './overrides/chat';
export { responses } from './overrides/responses';
export { text, toolCall } from './scripts/spec';
export type { ScriptSpec, ScriptMatch, Reply, TextReply, ToolCallReply, ResponseReply, Fault, RegexSpec } from './scripts/spec';
export { openAIError } from './http/errors';
export type { OpenAIErrorBody } from './http/errors';
export type { Override, AnyOverride, OverrideContext, OverrideRequest, OverrideResponse, OverrideResult, Replacement, QueryValue } from './overrides/types';
export type { OperationKey, TypedOperations, TypedOperationId, TypedRoute, OperationOf, RequestBodyOf, ResponseBodyOf, JsonValue, ListPage, FormBody, BinaryBody } from './overrides/operations';
export type { UploadedFile } from './http/parse-body';
