/**
 * OpenAI's id prefixes, by the `object` of what is created. Objects not listed take the prefix
 * of the documented example's id (`key_abc` gives `key_`), when it has one.
 */
const BY_OBJECT: Record<string, string> = {
  'chat.completion': 'chatcmpl-',
  text_completion: 'cmpl-',
  response: 'resp_',
  file: 'file-',
  batch: 'batch_',
  vector_store: 'vs_',
  'vector_store.file_batch': 'vsfb_',
  'vector_store.files_batch': 'vsfb_',
  assistant: 'asst_',
  thread: 'thread_',
  'thread.run': 'run_',
  'thread.message': 'msg_',
  'thread.run.step': 'step_',
  'fine_tuning.job': 'ftjob-',
  'fine_tuning.job.event': 'ftevent-',
  'fine_tuning.job.checkpoint': 'ftckpt_',
  'checkpoint.permission': 'cp_',
  conversation: 'conv_',
  upload: 'upload_',
  'upload.part': 'part_',
  eval: 'eval_',
  'eval.run': 'evalrun_',
  'eval.run.output_item': 'outputitem_',
  container: 'cntr_',
  'container.file': 'cfile_',
  'realtime.session': 'sess_',
  'realtime.transcription_session': 'sess_',
  video: 'video_',
  'organization.project': 'proj_',
  'organization.invite': 'invite-',
  'organization.project.service_account': 'svc_acct_',
  'organization.admin_api_key': 'key_',
  'chatkit.session': 'cksess_',
  'chatkit.thread': 'cthr_',
};

const EXAMPLE_PREFIX = /^([a-z][a-z0-9]*(?:_[a-z]+)*[-_])[A-Za-z0-9]{3,}$/;

export function idPrefix(object: unknown, exampleId: unknown): string {
  if (typeof object === 'string' && BY_OBJECT[object]) return BY_OBJECT[object]!;
  if (typeof exampleId === 'string') {
    const match = EXAMPLE_PREFIX.exec(exampleId);
    if (match && exampleId !== 'string') return match[1]!;
  }
  return '';
}
