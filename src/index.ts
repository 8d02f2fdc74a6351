/* The server */
export { createMockServer } from './server';
export type { MockServer, MockServerOptions, MockState } from './server';
export type { SessionStore, StoredObject, ListQuery, ListPage } from './state/types';
export type { StateConfig } from './state/settings';
export { DEFAULT_BODY_LIMIT } from './settings/resolve';
export type { Exchange, MockRequest, MockResponse, ResponseSource, Step, Handler, Preferences, StreamControl } from './pipeline/types';
export type { LogLevel, Logger } from './log/logger';

/* Test-suite companion: journal, sessions, scripted answers and faults (text, toolCall come with the authoring helpers below) */
export { UnusedScriptsError } from './sessions/companion';
export { connectMock } from './sessions/remote';
export type { RemoteSession, RemoteOptions } from './sessions/remote';
export type { CompanionApi, SessionHandle, JournalApi } from './sessions/companion';
export type { JournalEntry, JournalEvent, JournalFilter } from './sessions/journal';
export type { ScriptBuilder, ReplyFn } from './scripts/builder';
export type { ScriptInfo } from './scripts/compile';
export { receivedProblem, assertReceived, assertReceivedTimes } from './assertions/received';
export type { ReceivedExpectation } from './assertions/received';

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

/* The model catalogue */
export { MODELS, lookupModel, modelLimits, DEFAULT_LIMITS } from './models/catalogue';
export type { CatalogueModel, ModelLimits, ModelLookup, ModelKind } from './models/catalogue';
export type { CorsConfig } from './http/cors';

/* Load testing: latency models, rate limits */
export type { LatencyConfig, LatencyTable, LatencyModel } from './latency/model';
export type { Distribution } from './latency/distribution';
export type { RateLimitsConfig, RateLimit } from './ratelimit/step';
