import type { Exchange, MockResponse, Step } from '../pipeline/types';
import { openAIError } from '../http/errors';
import type { ModelCatalogue } from './served';

export interface ModelsStepOptions {
  catalogue: ModelCatalogue;
  /** A request naming a model outside the catalogue fails as the API fails it (404 `model_not_found`). */
  strict: boolean;
}

/** The API's answer for a model it does not have (or that the key cannot see). */
export const modelNotFound = (id: string) =>
  openAIError(404, `The model \`${id}\` does not exist or you do not have access to it.`, { code: 'model_not_found' });

const modelNotOwned = (id: string) =>
  openAIError(403, `You cannot delete the model \`${id}\`: only fine-tuned models that your organization owns can be deleted.`, { type: 'invalid_request_error' });

const json = (body: unknown): MockResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The models operations answered from the server's catalogue (list, retrieve, delete of
 * fine-tunes), and with `strict`, every request whose `model` the catalogue does not have
 * refused before any other source answers. Sits below the overrides: they see, and may rewrite,
 * these answers, and an override that answers for a made-up model still does.
 */
export function createModelsStep(options: ModelsStepOptions): Step {
  const { catalogue, strict } = options;
  return async (exchange: Exchange, next): Promise<MockResponse> => {
    const { code, example, dynamic } = exchange.preferences;
    // Answers the request chose itself (a documented status, a named example) are the engine's.
    const chosen = code !== undefined || example !== undefined || dynamic === true;
    switch (exchange.operationId) {
      case 'listModels':
        return chosen ? next(exchange) : json({ object: 'list', data: catalogue.list() });
      case 'retrieveModel': {
        if (chosen) return next(exchange);
        const id = exchange.request.params.model ?? '';
        const model = catalogue.get(id);
        return model ? json(model) : modelNotFound(id);
      }
      case 'deleteModel': {
        if (chosen) return next(exchange);
        const id = exchange.request.params.model ?? '';
        const outcome = catalogue.delete(id);
        if (outcome === 'not_found') return modelNotFound(id);
        if (outcome === 'not_owned') return modelNotOwned(id);
        return json({ id, object: 'model', deleted: true });
      }
    }
    if (strict) {
      const body = exchange.request.body;
      const model = isRecord(body) ? body.model : undefined;
      if (typeof model === 'string' && !catalogue.has(model)) return modelNotFound(model);
    }
    return next(exchange);
  };
}
