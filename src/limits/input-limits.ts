import { lookupModel } from '../models/catalogue';
import { openAIError, type ErrorResponse } from '../http/errors';
import { countInputTokens, countMessageTokens } from '../realism/tokens';
import { MAX_DIMENSIONS } from '../realism/kinds/embeddings';

/**
 * The API's own input limits, checked on the parsed body before the request is validated or
 * answered, so that a request the API would refuse costs little: `max_tokens` above the model's
 * output limit, input above its context window (estimated tokens, see realism/tokens.ts), the
 * number of inputs and prompts, embedding `dimensions` above the model's size. Each refusal is the
 * API's status and wording. Bodies too small to break a limit are not counted at all.
 */

/** Inputs one embeddings request may have, and prompts one completions request (the API's array cap). */
export const MAX_INPUTS = 2048;
/** Tokens summed over all inputs of one embeddings request. */
export const EMBEDDING_REQUEST_TOKENS = 300_000;
/**
 * Estimated tokens never exceed this many per byte of JSON body (an image part, 85 tokens, takes
 * about 20 bytes): a body shorter than the window divided by it cannot fill the window.
 */
const TOKENS_PER_BYTE = 5;

type Check = (body: Record<string, unknown>, bodyBytes: number) => ErrorResponse | undefined;

const CHECKS: Record<string, Check> = {
  createChatCompletion: chatLimits,
  createCompletion: completionLimits,
  createResponse: responseLimits,
  beta_createResponse: responseLimits,
  createEmbedding: embeddingLimits,
};

export function checkInputLimits(operationId: string, body: unknown, bodyBytes: number): ErrorResponse | undefined {
  const check = CHECKS[operationId];
  if (!check || typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  // A missing or misspelt model is the validator's to report.
  if (typeof record.model !== 'string') return undefined;
  return check(record, bodyBytes);
}

/**
 * Counting walks the input: only inputs of a shape the API takes are counted, so that a body the
 * validator rejects at a glance (an object where a string or an array belongs) is not walked first.
 */
const isText = (value: unknown) => typeof value === 'string' || Array.isArray(value);
const isList = (value: unknown) => value === undefined || value === null || Array.isArray(value);

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

function cannotFill(bodyBytes: number, room: number): boolean {
  return bodyBytes * TOKENS_PER_BYTE < room;
}

/** "max_tokens is too large: 20480. This model supports at most 16384 completion tokens, whereas you provided 20480." */
function outputTooLarge(body: Record<string, unknown>, field: string, maxOutput: number): ErrorResponse | undefined {
  const asked = body[field];
  if (!isCount(asked) || asked <= maxOutput) return undefined;
  return openAIError(400, `${field} is too large: ${asked}. This model supports at most ${maxOutput} completion tokens, whereas you provided ${asked}.`, {
    param: field,
    code: 'invalid_value',
  });
}

function arrayTooLong(param: string, length: number, max: number): ErrorResponse {
  return openAIError(400, `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${length} instead.`, {
    param,
    code: 'array_above_max_length',
  });
}

function chatLimits(body: Record<string, unknown>, bodyBytes: number): ErrorResponse | undefined {
  const { model, match } = lookupModel(body.model as string);
  // Unknown models may well take more output than the default assumes: their answers are only cut.
  if (match !== 'default') {
    const tooLarge = outputTooLarge(body, 'max_completion_tokens', model.maxOutputTokens) ?? outputTooLarge(body, 'max_tokens', model.maxOutputTokens);
    if (tooLarge) return tooLarge;
  }
  // The window of an unknown model is a guess: only its input is held against it.
  const asked = match === 'default' ? undefined : isCount(body.max_completion_tokens) ? body.max_completion_tokens : isCount(body.max_tokens) ? body.max_tokens : undefined;
  const window = model.contextWindow;
  if (cannotFill(bodyBytes, window - (asked ?? 0)) || !Array.isArray(body.messages) || !isList(body.tools) || !isList(body.functions)) return undefined;
  const prompt = countMessageTokens(body.messages) + countInputTokens(body.tools) + countInputTokens(body.functions);
  const options = { param: 'messages', code: 'context_length_exceeded' };
  if (asked !== undefined && prompt + asked > window) {
    return openAIError(
      400,
      `This model's maximum context length is ${window} tokens. However, you requested ${prompt + asked} tokens (${prompt} in the messages, ${asked} in the completion). Please reduce the length of the messages or completion.`,
      options,
    );
  }
  if (prompt > window) {
    return openAIError(400, `This model's maximum context length is ${window} tokens. However, your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`, options);
  }
  return undefined;
}

/** The prompts of a completions request: a string, strings, a token array, or token arrays. */
function promptsOf(prompt: unknown): unknown[] {
  if (!Array.isArray(prompt)) return [prompt];
  if (prompt.length > 0 && prompt.every((p) => typeof p === 'number')) return [prompt];
  return prompt;
}

function completionLimits(body: Record<string, unknown>, bodyBytes: number): ErrorResponse | undefined {
  if (Array.isArray(body.prompt) && body.prompt.length > MAX_INPUTS && !body.prompt.every((p) => typeof p === 'number')) {
    return arrayTooLong('prompt', body.prompt.length, MAX_INPUTS);
  }
  const { model, match } = lookupModel(body.model as string);
  if (match !== 'default') {
    const tooLarge = outputTooLarge(body, 'max_tokens', model.maxOutputTokens);
    if (tooLarge) return tooLarge;
  }
  // The API's default for this endpoint is 16 tokens.
  const asked = match === 'default' ? 0 : isCount(body.max_tokens) ? body.max_tokens : 16;
  const window = model.contextWindow;
  if (cannotFill(bodyBytes, window - asked) || !isText(body.prompt)) return undefined;
  for (const prompt of promptsOf(body.prompt)) {
    const tokens = countInputTokens(prompt);
    if (tokens + asked > window) {
      return openAIError(
        400,
        `This model's maximum context length is ${window} tokens, however you requested ${tokens + asked} tokens (${tokens} in your prompt; ${asked} for the completion). Please reduce your prompt; or completion length.`,
        { code: 'context_length_exceeded' },
      );
    }
  }
  return undefined;
}

function responseLimits(body: Record<string, unknown>, bodyBytes: number): ErrorResponse | undefined {
  const window = lookupModel(body.model as string).model.contextWindow;
  if (cannotFill(bodyBytes, window) || !isText(body.input) || !(body.instructions == null || typeof body.instructions === 'string') || !isList(body.tools)) return undefined;
  const tokens = countInputTokens(body.input) + countInputTokens(body.instructions) + countInputTokens(body.tools);
  if (tokens <= window) return undefined;
  return openAIError(400, 'Your input exceeds the context window of this model. Please adjust your input and try again.', {
    param: 'input',
    code: 'context_length_exceeded',
  });
}

/**
 * An empty string to embed, alone or in a list, is refused in these words, with no param or code
 * (openai/openai-python#576; the single empty string too since 2024). A blank one (" ") is taken.
 */
const EMPTY_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

function embeddingLimits(body: Record<string, unknown>, bodyBytes: number): ErrorResponse | undefined {
  const input = body.input;
  if (Array.isArray(input) && input.length > MAX_INPUTS) return arrayTooLong('input', input.length, MAX_INPUTS);
  if (input === '' || (Array.isArray(input) && input.includes(''))) return openAIError(400, EMPTY_INPUT);
  const { model } = lookupModel(body.model as string);
  const dimensions = body.dimensions;
  if (typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions >= 1) {
    if (model.dimensionsConfigurable === false) return openAIError(400, 'This model does not support specifying dimensions.');
    const max = model.embeddingDimensions ?? MAX_DIMENSIONS;
    if (dimensions > max) {
      return openAIError(400, `Invalid 'dimensions': integer above maximum value. Expected a value <= ${max}, but got ${dimensions} instead.`, {
        param: 'dimensions',
        code: 'integer_above_max_value',
      });
    }
  }
  // Embedding models read at most 8192 tokens an input (their catalogue window).
  const perInput = model.kind === 'embedding' ? model.contextWindow : 8192;
  if (cannotFill(bodyBytes, perInput) || !isText(input)) return undefined;
  let total = 0;
  const inputs = Array.isArray(input) && !(input.length > 0 && input.every((item) => typeof item === 'number')) ? input : [input];
  for (const item of inputs) {
    const tokens = countInputTokens(item);
    if (tokens > perInput) {
      return openAIError(
        400,
        `This model's maximum context length is ${perInput} tokens, however you requested ${tokens} tokens (${tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
        { code: 'context_length_exceeded' },
      );
    }
    total += tokens;
  }
  if (total > EMBEDDING_REQUEST_TOKENS) {
    return openAIError(400, `Requested ${total} tokens, max ${EMBEDDING_REQUEST_TOKENS} tokens per request`, {
      type: 'max_tokens_per_request',
      code: 'max_tokens_per_request',
    });
  }
  return undefined;
}
