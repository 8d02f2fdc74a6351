import { isRecord, type Builder } from '../context';
import { countInputTokens, countTokens } from '../tokens';
import { modelLimits } from '../../models/catalogue';
import { DEFAULT_REPLY, chosenTool, limitText, logprobsFor, offeredTools, outputBudget, structuredText, toolArguments, usableText } from './assistant-output';

/** The text of the documented example's first message, unless a placeholder. */
function exampleText(output: unknown): string | undefined {
  if (!Array.isArray(output)) return undefined;
  for (const item of output) {
    if (!isRecord(item) || item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (isRecord(part) && part.type === 'output_text') return usableText(part.text);
  }
  return undefined;
}

/** `POST /responses`: one output item (a message, or a function call when tools ask for it), usage that adds up. */
export const modelResponse: Builder = (body, context) => {
  const request = context.request;
  const input = request.input;
  const items = Array.isArray(input) ? input : [];
  const last = items[items.length - 1];
  const backFromTool = isRecord(last) && (last.type === 'function_call_output' || last.type === 'custom_tool_call_output');
  const tool = chosenTool(offeredTools(request.tools), request.tool_choice, backFromTool);
  const reply = exampleText(body.output) ?? DEFAULT_REPLY;

  const budget = outputBudget(request.max_output_tokens, modelLimits(request.model).maxOutputTokens);
  let outputTokens: number;
  let incomplete = false;
  if (tool) {
    const args = toolArguments(tool, budget);
    context.meter.charge(300 + args.text.length * 1.2, 'a tool call');
    incomplete = args.truncated;
    const id = context.ids.next(tool.custom ? 'ctc_' : 'fc_');
    const call_id = context.ids.next('call_');
    const status = incomplete ? 'incomplete' : 'completed';
    body.output = [
      tool.custom
        ? { type: 'custom_tool_call', id, call_id, name: tool.name, input: args.text, status }
        : { type: 'function_call', id, call_id, name: tool.name, arguments: args.text, status },
    ];
    outputTokens = countTokens(tool.name) + countTokens(args.text);
  } else {
    const format = isRecord(request.text) ? request.text.format : undefined;
    const limited = structuredText(format, reply, budget) ?? limitText(reply, budget);
    incomplete = limited.truncated;
    const wantsLogprobs = Array.isArray(request.include) && request.include.includes('message.output_text.logprobs');
    const topCount = typeof request.top_logprobs === 'number' ? Math.max(0, Math.min(request.top_logprobs, 20)) : 0;
    context.meter.charge(300 + limited.text.length * 1.2 + (wantsLogprobs ? (limited.text.length / 4) * (1 + topCount) * 80 : 0), 'the output text');
    body.output = [
      {
        type: 'message',
        id: context.ids.next('msg_'),
        status: incomplete ? 'incomplete' : 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: limited.text, annotations: [], logprobs: wantsLogprobs ? logprobsFor(limited.text, topCount) : [] }],
      },
    ];
    outputTokens = countTokens(limited.text);
  }

  body.status = incomplete ? 'incomplete' : 'completed';
  if ('completed_at' in body || !incomplete) body.completed_at = incomplete ? null : context.ids.now;
  body.error = null;
  body.incomplete_details = incomplete ? { reason: 'max_output_tokens' } : null;
  const inputTokens = countInputTokens(input) + countInputTokens(request.instructions) + countInputTokens(request.tools);
  body.usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
};
