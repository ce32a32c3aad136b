/**
 * Block Kit limits, from Slack's reference (docs.slack.dev/reference/block-kit, …/views).
 * Slack refuses a whole message for one field over its limit, so builders shorten what
 * they do not control and tests (and the local Slack API server) check every payload here.
 */
export const LIMITS = {
  /** chat.postMessage cuts `text` beyond this. */
  text: 40_000,
  messageBlocks: 50,
  viewBlocks: 100,
  textObject: 3000,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  value: 2000,
  actionId: 255,
  blockId: 255,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

const BLOCK_TYPES = new Set(['actions', 'context', 'context_actions', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'rich_text', 'section', 'table', 'video']);

type Json = Record<string, unknown>;

/** Problems in a message (`chat.postMessage`, `chat.update`, a response_url), worded like Slack's `[ERROR] … [json-pointer:…]`. */
export function checkMessage(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  if (message.text !== undefined) checkString(problems, message.text, LIMITS.text, '/text');
  if (message.blocks !== undefined) checkBlocks(problems, message.blocks, LIMITS.messageBlocks);
  return problems;
}

/** Problems in a view (`views.open`, `views.publish`): the view's own fields, then its blocks. */
export function checkView(view: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(view)) return ['[ERROR] must be an object [json-pointer:/view]'];
  if (view.type !== 'modal' && view.type !== 'home') problems.push(error('must be modal or home', '/view/type'));
  if (view.type === 'modal') {
    checkTextObject(problems, view.title, LIMITS.viewTitle, '/view/title', true);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) problems.push(error('submit is required when the view has an input block', '/view/submit'));
  }
  if (view.submit !== undefined) checkTextObject(problems, view.submit, LIMITS.viewButton, '/view/submit', true);
  if (view.close !== undefined) checkTextObject(problems, view.close, LIMITS.viewButton, '/view/close', true);
  if (view.private_metadata !== undefined) checkString(problems, view.private_metadata, LIMITS.privateMetadata, '/view/private_metadata');
  if (view.callback_id !== undefined) checkString(problems, view.callback_id, LIMITS.callbackId, '/view/callback_id');
  checkBlocks(problems, view.blocks, LIMITS.viewBlocks, '/view/blocks');
  return problems;
}

function checkBlocks(problems: string[], blocks: unknown, max: number, at = '/blocks'): void {
  if (!Array.isArray(blocks)) return void problems.push(error('must be an array', at));
  if (blocks.length > max) problems.push(error(`must have at most ${max} items, has ${blocks.length}`, at));
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const path = `${at}/${index}`;
    if (!isObject(block) || typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type)) return void problems.push(error('must be a known block', path));
    if (block.block_id !== undefined) {
      checkString(problems, block.block_id, LIMITS.blockId, `${path}/block_id`);
      if (blockIds.has(String(block.block_id))) problems.push(error(`duplicate block_id ${String(block.block_id)}`, `${path}/block_id`));
      blockIds.add(String(block.block_id));
    }
    checkBlock(problems, block, path);
  });
}

function checkBlock(problems: string[], block: Json, path: string): void {
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) problems.push(error('needs text or fields', path));
      if (block.text !== undefined) checkTextObject(problems, block.text, LIMITS.sectionText, `${path}/text`);
      if (block.fields !== undefined) checkList(problems, block.fields, LIMITS.sectionFields, `${path}/fields`, (field, at) => checkTextObject(problems, field, LIMITS.sectionFieldText, at));
      if (block.accessory !== undefined) checkElement(problems, block.accessory, `${path}/accessory`, new Set());
      return;
    case 'header':
      return checkTextObject(problems, block.text, LIMITS.headerText, `${path}/text`, true);
    case 'context':
      return checkList(problems, block.elements, LIMITS.contextElements, `${path}/elements`, (element, at) => {
        if (isObject(element) && element.type !== 'image') checkTextObject(problems, element, LIMITS.textObject, at);
      });
    case 'actions': {
      const actionIds = new Set<string>();
      return checkList(problems, block.elements, LIMITS.actionsElements, `${path}/elements`, (element, at) => checkElement(problems, element, at, actionIds));
    }
    case 'input':
      checkTextObject(problems, block.label, LIMITS.inputLabel, `${path}/label`, true);
      if (block.hint !== undefined) checkTextObject(problems, block.hint, LIMITS.inputHint, `${path}/hint`, true);
      return checkElement(problems, block.element, `${path}/element`, new Set());
  }
}

/**
 * One interactive element. An action_id need only be unique within its block (Slack's
 * button reference), so the same action in many blocks of one message is fine.
 */
function checkElement(problems: string[], element: unknown, path: string, actionIdsOfBlock: Set<string>): void {
  if (!isObject(element) || typeof element.type !== 'string') return void problems.push(error('must be an element', path));
  if (element.action_id !== undefined) {
    checkString(problems, element.action_id, LIMITS.actionId, `${path}/action_id`);
    if (actionIdsOfBlock.has(String(element.action_id))) problems.push(error(`duplicate action_id ${String(element.action_id)} in one block`, `${path}/action_id`));
    actionIdsOfBlock.add(String(element.action_id));
  }
  if (element.type === 'button') {
    checkTextObject(problems, element.text, LIMITS.buttonText, `${path}/text`, true);
    if (element.value !== undefined) checkString(problems, element.value, LIMITS.value, `${path}/value`);
    if (element.url !== undefined) checkString(problems, element.url, LIMITS.buttonUrl, `${path}/url`);
    if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') problems.push(error('style must be primary or danger', `${path}/style`));
  }
  if (element.placeholder !== undefined) checkTextObject(problems, element.placeholder, LIMITS.placeholder, `${path}/placeholder`, true);
}

function checkTextObject(problems: string[], value: unknown, max: number, at: string, plainOnly = false): void {
  if (!isObject(value) || (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn'))) {
    return void problems.push(error(plainOnly ? 'must be a plain_text object' : 'must be a text object', at));
  }
  checkString(problems, value.text, max, `${at}/text`);
  if (value.text === '') problems.push(error('must not be empty', `${at}/text`));
}

function checkList(problems: string[], value: unknown, max: number, at: string, each: (item: unknown, at: string) => void): void {
  if (!Array.isArray(value) || value.length === 0) return void problems.push(error('must be a non-empty array', at));
  if (value.length > max) problems.push(error(`must have at most ${max} items, has ${value.length}`, at));
  value.forEach((item, index) => each(item, `${at}/${index}`));
}

function checkString(problems: string[], value: unknown, max: number, at: string): void {
  if (typeof value !== 'string') return void problems.push(error('must be a string', at));
  if (value.length > max) problems.push(error(`must be at most ${max} characters, has ${value.length}`, at));
}

function error(message: string, at: string): string {
  return `[ERROR] ${message} [json-pointer:${at}]`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
