/* The server */
export { createMockServer } from './server';
export type { MockServer, MockServerOptions } from './server';
export { DEFAULT_BODY_LIMIT } from './settings/resolve';
export type { Exchange, MockRequest, MockResponse, ResponseSource, Step, Handler, Preferences, StreamControl } from './pipeline/types';
export type { LogLevel, Logger } from './log/logger';

/* Proxy, record and replay */
export type { ProxySettings } from './proxy/step';
export type { RecordSettings, ReplaySettings } from './cassettes/settings';
export type { ReplayMode, ReplaySpeed } from './cassettes/replay-step';
export type { Cassette, CassetteResponse, StreamEvent } from './cassettes/format';
export { CASSETTE_VERSION } from './cassettes/format';
export type { DriftEntry } from './proxy/drift';

/* Config files */
export { loadConfig, SEARCH_PLACES } from './config/load';
export type { LoadedConfig, LoadOptions } from './config/load';
export { ConfigError } from './config/errors';

/* Overrides and their helpers (also what config files import) */
export * from './authoring';
