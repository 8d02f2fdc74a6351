import { countField, isRecord, type Builder } from '../context';
import { countInputTokens, countMessageTokens, countTokens } from '../tokens';
import { placeholderAudio } from './media';
import {
  DEFAULT_REPLY,
  chosenTool,
  limitText,
  logprobsFor,
  offeredTools,
  structuredText,
  toolArguments,
  usableText,
} from './assistant-output';

/** `POST /chat/completions`: `n` choices, one kind of output each, usage that adds up. */
export const chatCompletion: Builder = (body, context) => {
  const request = context.request;
  const n = countField(request.n) ?? 1;
  const first = Array.isArray(body.choices) && isRecord(body.choices[0]) ? body.choices[0] : {};
  const template = isRecord(first.message) ? first.message : {};
  const reply = usableText(template.content) ?? DEFAULT_REPLY;
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const lastRole = isRecord(messages[messages.length - 1]) ? (messages[messages.length - 1] as Record<string, unknown>).role : undefined;

  const tool = chosenTool(offeredTools(request.tools), request.tool_choice, lastRole === 'tool');
  const legacy = tool ? undefined : chosenTool(offeredTools(legacyFunctions(request.functions)), legacyChoice(request.function_call), lastRole === 'function');
  const wantsAudio = Array.isArray(request.modalities) && request.modalities.includes('audio');
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;

  let completionTokens = 0;
  const choices = Array.from({ length: n }, (_, index) => {
    const message: Record<string, unknown> = { role: 'assistant', content: null, refusal: null, annotations: [] };
    let finishReason = 'stop';
    let text: string | undefined;
    if (tool) {
      const args = toolArguments(tool);
      message.tool_calls = [
        tool.custom
          ? { id: context.ids.next('call_'), type: 'custom', custom: { name: tool.name, input: args } }
          : { id: context.ids.next('call_'), type: 'function', function: { name: tool.name, arguments: args } },
      ];
      finishReason = 'tool_calls';
      completionTokens += countTokens(tool.name) + countTokens(args);
    } else if (legacy) {
      const args = toolArguments(legacy);
      message.function_call = { name: legacy.name, arguments: args };
      finishReason = 'function_call';
      completionTokens += countTokens(legacy.name) + countTokens(args);
    } else {
      const limited = limitText(structuredText(request.response_format, reply) ?? reply, maxTokens);
      text = limited.text;
      if (limited.truncated) finishReason = 'length';
      completionTokens += countTokens(text);
      if (wantsAudio) {
        const format = isRecord(request.audio) && typeof request.audio.format === 'string' ? request.audio.format : 'wav';
        message.audio = { id: context.ids.next('audio_'), expires_at: context.ids.now + 3600, data: placeholderAudio(format).toString('base64'), transcript: text };
      } else {
        message.content = text;
      }
    }
    const logprobs =
      request.logprobs === true && text !== undefined ? { content: logprobsFor(text, countField(request.top_logprobs, 20) ?? 0), refusal: null } : null;
    return { index, message, logprobs, finish_reason: finishReason };
  });
  body.choices = choices;

  const promptTokens = countMessageTokens(messages) + countInputTokens(request.tools) + countInputTokens(request.functions);
  body.usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
};

/** The deprecated `functions` are tools without the wrapper. */
function legacyFunctions(functions: unknown): unknown {
  return Array.isArray(functions) ? functions.map((f) => ({ type: 'function', function: f })) : undefined;
}

function legacyChoice(choice: unknown): unknown {
  if (isRecord(choice) && typeof choice.name === 'string') return { type: 'function', function: { name: choice.name } };
  return choice;
}

/** `POST /completions` (legacy): `n` choices per prompt, usage that adds up. */
export const textCompletion: Builder = (body, context) => {
  const request = context.request;
  const n = countField(request.n) ?? 1;
  const prompts = Array.isArray(request.prompt) && request.prompt.every((p) => typeof p === 'string') ? (request.prompt as string[]) : [request.prompt];
  const first = Array.isArray(body.choices) && isRecord(body.choices[0]) ? body.choices[0] : {};
  const reply = usableText(first.text) ?? ` ${DEFAULT_REPLY}`;
  let completionTokens = 0;
  const choices: unknown[] = [];
  for (const prompt of prompts) {
    for (let i = 0; i < n; i++) {
      const limited = limitText(reply, request.max_tokens ?? 16);
      completionTokens += countTokens(limited.text);
      const text = request.echo === true && typeof prompt === 'string' ? prompt + limited.text : limited.text;
      choices.push({ text, index: choices.length, logprobs: null, finish_reason: limited.truncated ? 'length' : 'stop' });
    }
  }
  body.choices = choices;
  const promptTokens = countInputTokens(request.prompt);
  body.usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
};
