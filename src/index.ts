export { createMockServer, DEFAULT_BODY_LIMIT } from './server';
export type { MockServer, MockServerOptions } from './server';
export type { Exchange, MockRequest, MockResponse, Step, Handler, Preferences, StreamControl } from './pipeline/types';
export { openAIError } from './http/errors';
export type { OpenAIErrorBody } from './http/errors';
export type { LogLevel, Logger } from './log/logger';
