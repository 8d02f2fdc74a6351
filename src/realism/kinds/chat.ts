import { countField, isRecord, type Builder } from '../context';
import { countInputTokens, countMessageTokens, countTokens } from '../tokens';
import { placeholderAudio } from './media';
import { modelLimits } from '../../models/catalogue';
import {
  DEFAULT_REPLY,
  chosenTool,
  limitText,
  logprobsFor,
  offeredTools,
  outputBudget,
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
  const budget = outputBudget(request.max_completion_tokens ?? request.max_tokens, modelLimits(request.model).maxOutputTokens);

  // Every choice says the same (the output follows from the request alone): generated once, charged n times.
  const call = tool ?? legacy;
  const output = call ? toolArguments(call, budget) : (structuredText(request.response_format, reply, budget) ?? limitText(reply, budget));
  const topCount = request.logprobs === true && !call ? (countField(request.top_logprobs, 20) ?? 0) : -1;
  const audio = wantsAudio && !call ? placeholderAudio(isRecord(request.audio) && typeof request.audio.format === 'string' ? request.audio.format : 'wav') : undefined;
  context.meter.charge(n * choiceBytes(output.text, topCount, audio), `${n} choices`);

  const outputTokens = countTokens(output.text) + (call ? countTokens(call.name) : 0);
  const choices = Array.from({ length: n }, (_, index) => {
    context.meter.checkTime(`${n} choices`);
    const message: Record<string, unknown> = { role: 'assistant', content: null, refusal: null, annotations: [] };
    let finishReason = output.truncated ? 'length' : 'stop';
    if (tool) {
      message.tool_calls = [
        tool.custom
          ? { id: context.ids.next('call_'), type: 'custom', custom: { name: tool.name, input: output.text } }
          : { id: context.ids.next('call_'), type: 'function', function: { name: tool.name, arguments: output.text } },
      ];
      if (!output.truncated) finishReason = 'tool_calls';
    } else if (legacy) {
      message.function_call = { name: legacy.name, arguments: output.text };
      if (!output.truncated) finishReason = 'function_call';
    } else if (audio) {
      message.audio = { id: context.ids.next('audio_'), expires_at: context.ids.now + 3600, data: audio.toString('base64'), transcript: output.text };
    } else {
      message.content = output.text;
    }
    const logprobs = topCount >= 0 ? { content: logprobsFor(output.text, topCount), refusal: null } : null;
    return { index, message, logprobs, finish_reason: finishReason };
  });
  body.choices = choices;

  const completionTokens = n * outputTokens;
  const promptTokens = countMessageTokens(messages) + countInputTokens(request.tools) + countInputTokens(request.functions);
  body.usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
};

/** About what one choice adds to the body: its text, its logprobs (each entry a few times the token), audio. */
function choiceBytes(text: string, topCount: number, audio: Buffer | undefined): number {
  let bytes = 200 + text.length * 1.2;
  if (topCount >= 0) bytes += (text.length / 4) * (1 + topCount) * 80;
  if (audio) bytes += (audio.length * 4) / 3;
  return bytes;
}

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
  // The API's default for this endpoint is 16 tokens.
  const limited = limitText(reply, outputBudget(request.max_tokens ?? 16, modelLimits(request.model).maxOutputTokens));
  const echo = request.echo === true;
  let echoed = 0;
  if (echo) for (const prompt of prompts) if (typeof prompt === 'string') echoed += prompt.length;
  context.meter.charge(n * (prompts.length * (80 + limited.text.length * 1.2) + echoed * 1.2), `${n * prompts.length} choices`);

  const choices: unknown[] = [];
  for (const prompt of prompts) {
    for (let i = 0; i < n; i++) {
      if (choices.length % 1024 === 1023) context.meter.checkTime(`${n * prompts.length} choices`);
      const text = echo && typeof prompt === 'string' ? prompt + limited.text : limited.text;
      choices.push({ text, index: choices.length, logprobs: null, finish_reason: limited.truncated ? 'length' : 'stop' });
    }
  }
  body.choices = choices;
  const completionTokens = choices.length * countTokens(limited.text);
  const promptTokens = countInputTokens(request.prompt);
  body.usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
};
