import OpenAI from 'openai';
import { createMockServer, type MockServer, type MockServerOptions } from '../../src';

export const SPEC = process.env.OPENAI_MOCK_SPEC; // undefined: the default spec/openapi.yaml that the install step fills

export async function startMock(options: MockServerOptions = {}): Promise<MockServer> {
  return createMockServer({ port: 0, spec: SPEC, logLevel: 'silent', ...options });
}

export function sdk(mock: MockServer, options: { prefix?: string } = {}): OpenAI {
  return new OpenAI({ baseURL: mock.url + (options.prefix ?? '/v1'), apiKey: 'sk-test-key', maxRetries: 0, timeout: 20_000 });
}

const [nodeMajor, nodeMinor] = process.versions.node.split('.').map(Number) as [number, number];
/** Listening sockets per port of a server started here: eight sharing it on Linux with Node 22.12+ (src/transport/listen.ts), else one. */
export const SOCKETS_PER_PORT = process.platform === 'linux' && (nodeMajor > 22 || (nodeMajor === 22 && nodeMinor >= 12)) ? 8 : 1;
