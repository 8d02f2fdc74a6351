import type { Exchange, Handler, MockResponse, Step } from '../pipeline/types';
import { openAIError } from '../http/errors';
import { textAnswer } from '../pipeline/text-answer';
import type { ModelCatalogue } from './served';

/** The API's answer for a model it does not have (or that the key cannot see). */
export const modelNotFound = (id: string) =>
  openAIError(404, `The model \`${id}\` does not exist or you do not have access to it.`, { code: 'model_not_found' });

const modelNotOwned = (id: string) =>
  openAIError(403, `You cannot delete the model \`${id}\`: only fine-tuned models that your organization owns can be deleted.`, { type: 'invalid_request_error' });

const json = (body: unknown): MockResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The models operations answered from the server's catalogue: list, retrieve (an unknown id is
 * the API's 404), and delete of fine-tunes. Sits below the overrides, which see and may rewrite
 * these answers.
 */
export function createModelsStep(catalogue: ModelCatalogue): Step {
  // Every other operation goes on down without an await of this step's.
  return (exchange, next) => (MODELS_OPERATIONS.has(exchange.operationId) ? answer(exchange, next) : next(exchange));

  async function answer(exchange: Exchange, next: Handler): Promise<MockResponse> {
    const { code, example, dynamic } = exchange.preferences;
    // Answers the request chose itself (a documented status, a named example) are the engine's.
    if (code !== undefined || example !== undefined || dynamic === true) return next(exchange);
    const id = exchange.request.params.model ?? '';
    switch (exchange.operationId) {
      case 'listModels':
        // Sent as kept; a step that reads the body gets its own copy to change (pipeline/text-answer.ts).
        return textAnswer(200, { 'content-type': 'application/json' }, catalogue.listJson(), NO_OUTPUT);
      case 'retrieveModel': {
        const model = catalogue.get(id);
        return model ? json(model) : modelNotFound(id);
      }
      case 'deleteModel': {
        const outcome = catalogue.delete(id);
        if (outcome === 'not_found') return modelNotFound(id);
        if (outcome === 'not_owned') return modelNotOwned(id);
        return json({ id, object: 'model', deleted: true });
      }
      default:
        return next(exchange);
    }
  }
}

const MODELS_OPERATIONS = new Set(['listModels', 'retrieveModel', 'deleteModel']);
const NO_OUTPUT = { outputTokens: 0 };

/**
 * `--strict-models`: a request whose `model` the catalogue does not have fails as the API fails
 * it, before any source answers, overrides included: with strict models the catalogue is the
 * truth, so a model that only an override knows belongs in `models` too.
 */
export function createStrictModelsStep(catalogue: ModelCatalogue): Step {
  return async (exchange: Exchange, next): Promise<MockResponse> => {
    const body = exchange.request.body;
    const model = isRecord(body) ? body.model : undefined;
    if (typeof model === 'string' && !catalogue.has(model)) return modelNotFound(model);
    return next(exchange);
  };
}
