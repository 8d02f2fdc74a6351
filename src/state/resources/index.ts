import type { StateHandlers } from '../types';
import { files } from './files';
import { uploads } from './uploads';
import { vectorStores } from './vector-stores';
import { batches } from './batches';
import { chatCompletions } from './chat-completions';
import { containers } from './containers';
import { assistantHandlers } from './assistants';
import { threadHandlers } from './threads';
import { runHandlers } from './runs';
import { fineTuningHandlers } from './fine-tuning';
import { responseHandlers } from './responses';
import { conversationHandlers } from './conversations';

/**
 * The resource modules of stateful mode, one per API area: each maps operationIds to handlers.
 * An operation no module takes passes on to the stateless pipeline.
 */
export const RESOURCES: readonly StateHandlers[] = [
  files,
  uploads,
  vectorStores,
  batches,
  chatCompletions,
  containers,
  assistantHandlers,
  threadHandlers,
  runHandlers,
  fineTuningHandlers,
  responseHandlers,
  conversationHandlers,
];
