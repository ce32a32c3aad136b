/**
 * Slack's documented shapes and limits for what an app sends, written down here from
 * Slack's reference (docs.slack.dev/reference/block-kit/…, …/surfaces/modals,
 * …/methods/chat.postMessage) and on purpose NOT taken from the product: the fake Slack
 * grades the product, so it must not share the product's idea of the limits. Problems are
 * worded as Slack words them: `[ERROR] … [json-pointer:/blocks/0/text/text]`.
 */
export const SLACK_LIMITS = {
  /** chat.postMessage: "Provide no more than 40,000 characters or risk truncation." */
  messageText: 40_000,
  messageAttachments: 100,
  messageBlocks: 50,
  /** Modals and App Home. */
  viewBlocks: 100,
  blockId: 255,
  actionId: 255,
  section: { text: 3000, fields: 10, fieldText: 2000 },
  header: { text: 150 },
  context: { elements: 10 },
  actions: { elements: 25 },
  input: { label: 2000, hint: 2000 },
  image: { altText: 2000, url: 3000, title: 2000 },
  markdown: { text: 12_000 },
  button: { text: 75, value: 2000, url: 3000, accessibilityLabel: 75 },
  /** Option objects (selects, checkboxes): text and value, and at most 100 options in an element. */
  option: { text: 75, value: 150, options: 100 },
  placeholder: 150,
  plainTextInput: { length: 3000 },
  modal: { title: 24, submit: 24, close: 24 },
  view: { privateMetadata: 3000, callbackId: 255, externalId: 255 },
} as const;

type Json = Record<string, unknown>;
type Problems = string[];

/** Fields each block may carry; Slack refuses a block with any other. */
const BLOCK_FIELDS: Record<string, readonly string[]> = {
  section: ['type', 'block_id', 'text', 'fields', 'accessory', 'expand'],
  header: ['type', 'block_id', 'text'],
  divider: ['type', 'block_id'],
  context: ['type', 'block_id', 'elements'],
  actions: ['type', 'block_id', 'elements'],
  input: ['type', 'block_id', 'label', 'element', 'hint', 'optional', 'dispatch_action'],
  image: ['type', 'block_id', 'image_url', 'slack_file', 'alt_text', 'title'],
  markdown: ['type', 'block_id', 'text'],
  rich_text: ['type', 'block_id', 'elements'],
};

const ELEMENT_FIELDS: Record<string, readonly string[]> = {
  button: ['type', 'action_id', 'text', 'value', 'url', 'style', 'confirm', 'accessibility_label'],
  plain_text_input: ['type', 'action_id', 'initial_value', 'multiline', 'min_length', 'max_length', 'dispatch_action_config', 'focus_on_load', 'placeholder'],
  url_text_input: ['type', 'action_id', 'initial_value', 'dispatch_action_config', 'focus_on_load', 'placeholder'],
  datepicker: ['type', 'action_id', 'initial_date', 'confirm', 'focus_on_load', 'placeholder'],
  static_select: ['type', 'action_id', 'options', 'option_groups', 'initial_option', 'confirm', 'focus_on_load', 'placeholder'],
  number_input: ['type', 'action_id', 'is_decimal_allowed', 'initial_value', 'min_value', 'max_value', 'dispatch_action_config', 'focus_on_load', 'placeholder'],
  checkboxes: ['type', 'action_id', 'options', 'initial_options', 'confirm', 'focus_on_load'],
};

/** Which elements Slack allows where (Block Kit "compatible blocks" of each element). */
const ELEMENTS_IN = {
  // Block Kit: an actions block holds buttons, select menus, overflow menus and date pickers.
  actions: new Set(['button', 'datepicker', 'static_select']),
  input: new Set(['plain_text_input', 'url_text_input', 'datepicker', 'static_select', 'number_input', 'checkboxes']),
  accessory: new Set(['button', 'datepicker']),
};

const MODAL_FIELDS = ['type', 'title', 'blocks', 'close', 'submit', 'private_metadata', 'callback_id', 'clear_on_close', 'notify_on_close', 'external_id', 'submit_disabled'];
const HOME_FIELDS = ['type', 'blocks', 'private_metadata', 'callback_id', 'external_id'];

/** Problems with a message (chat.postMessage, chat.update, chat.postEphemeral, a response_url post). */
export function slackMessageProblems(message: { text?: unknown; blocks?: unknown; attachments?: unknown }): Problems {
  const problems: Problems = [];
  if (message.text !== undefined) {
    if (typeof message.text !== 'string') problems.push(slackError('must be a string', '/text'));
    else if (message.text.length > SLACK_LIMITS.messageText) problems.push(slackError(`must be less than ${SLACK_LIMITS.messageText + 1} characters`, '/text'));
  }
  if (message.attachments !== undefined && (!Array.isArray(message.attachments) || message.attachments.length > SLACK_LIMITS.messageAttachments)) {
    problems.push(slackError(`must be an array of no more than ${SLACK_LIMITS.messageAttachments} items`, '/attachments'));
  }
  if (message.blocks !== undefined) checkBlocks(problems, message.blocks, SLACK_LIMITS.messageBlocks, '/blocks');
  return problems;
}

/** Problems with a view (views.open: a modal; views.publish: a home tab). */
export function slackViewProblems(view: unknown, surface: 'modal' | 'home'): Problems {
  const problems: Problems = [];
  if (!isObject(view)) return [slackError('must be an object', '/view')];
  if (view.type !== surface) problems.push(slackError(`must be ${surface}`, '/view/type'));
  unknownFields(problems, view, surface === 'modal' ? MODAL_FIELDS : HOME_FIELDS, '/view');
  if (surface === 'modal') {
    textObject(problems, view.title, SLACK_LIMITS.modal.title, '/view/title', { plainOnly: true });
    if (view.submit !== undefined) textObject(problems, view.submit, SLACK_LIMITS.modal.submit, '/view/submit', { plainOnly: true });
    if (view.close !== undefined) textObject(problems, view.close, SLACK_LIMITS.modal.close, '/view/close', { plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((block) => isObject(block) && block.type === 'input');
    if (hasInput && view.submit === undefined) problems.push(slackError('submit is required when an input block is present', '/view/submit'));
  }
  optionalString(problems, view.private_metadata, SLACK_LIMITS.view.privateMetadata, '/view/private_metadata');
  optionalString(problems, view.callback_id, SLACK_LIMITS.view.callbackId, '/view/callback_id');
  optionalString(problems, view.external_id, SLACK_LIMITS.view.externalId, '/view/external_id');
  checkBlocks(problems, view.blocks, SLACK_LIMITS.viewBlocks, '/view/blocks');
  return problems;
}

function checkBlocks(problems: Problems, blocks: unknown, max: number, at: string): void {
  if (!Array.isArray(blocks)) return void problems.push(slackError('must be an array', at));
  if (blocks.length > max) problems.push(slackError(`no more than ${max} items allowed`, at));
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const path = `${at}/${index}`;
    if (!isObject(block) || typeof block.type !== 'string' || !(block.type in BLOCK_FIELDS)) return void problems.push(slackError('unsupported block type', `${path}/type`));
    unknownFields(problems, block, BLOCK_FIELDS[block.type]!, path);
    if (block.block_id !== undefined) {
      string(problems, block.block_id, SLACK_LIMITS.blockId, `${path}/block_id`);
      if (blockIds.has(String(block.block_id))) problems.push(slackError(`duplicate block_id ${String(block.block_id)}`, `${path}/block_id`));
      blockIds.add(String(block.block_id));
    }
    checkBlock(problems, block, path);
  });
}

function checkBlock(problems: Problems, block: Json, path: string): void {
  const actionIds = new Set<string>();
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) problems.push(slackError('must provide text or fields', path));
      if (block.text !== undefined) textObject(problems, block.text, SLACK_LIMITS.section.text, `${path}/text`);
      if (block.fields !== undefined) {
        list(problems, block.fields, SLACK_LIMITS.section.fields, `${path}/fields`, (field, at) => textObject(problems, field, SLACK_LIMITS.section.fieldText, at));
      }
      if (block.accessory !== undefined) element(problems, block.accessory, ELEMENTS_IN.accessory, `${path}/accessory`, actionIds);
      return;
    case 'header':
      return textObject(problems, block.text, SLACK_LIMITS.header.text, `${path}/text`, { plainOnly: true });
    case 'context':
      return list(problems, block.elements, SLACK_LIMITS.context.elements, `${path}/elements`, (item, at) => {
        if (isObject(item) && item.type === 'image') image(problems, item, at);
        // The context block reference gives a count, not a length, for its text objects.
        else textObject(problems, item, Number.POSITIVE_INFINITY, at);
      });
    case 'actions':
      return list(problems, block.elements, SLACK_LIMITS.actions.elements, `${path}/elements`, (item, at) => element(problems, item, ELEMENTS_IN.actions, at, actionIds));
    case 'input':
      textObject(problems, block.label, SLACK_LIMITS.input.label, `${path}/label`, { plainOnly: true });
      if (block.hint !== undefined) textObject(problems, block.hint, SLACK_LIMITS.input.hint, `${path}/hint`, { plainOnly: true });
      return element(problems, block.element, ELEMENTS_IN.input, `${path}/element`, actionIds);
    case 'image':
      return image(problems, block, path);
    case 'markdown':
      return string(problems, block.text, SLACK_LIMITS.markdown.text, `${path}/text`);
  }
}

/** An action_id must be unique among the action_ids of its block (Block Kit: interactive elements). */
function element(problems: Problems, value: unknown, allowed: Set<string>, path: string, actionIds: Set<string>): void {
  if (!isObject(value) || typeof value.type !== 'string' || !allowed.has(value.type)) return void problems.push(slackError('unsupported element type here', `${path}/type`));
  unknownFields(problems, value, ELEMENT_FIELDS[value.type]!, path);
  if (value.action_id !== undefined) {
    string(problems, value.action_id, SLACK_LIMITS.actionId, `${path}/action_id`);
    if (actionIds.has(String(value.action_id))) problems.push(slackError(`duplicate action_id ${String(value.action_id)}`, `${path}/action_id`));
    actionIds.add(String(value.action_id));
  }
  if (value.placeholder !== undefined) textObject(problems, value.placeholder, SLACK_LIMITS.placeholder, `${path}/placeholder`, { plainOnly: true });
  switch (value.type) {
    case 'button':
      textObject(problems, value.text, SLACK_LIMITS.button.text, `${path}/text`, { plainOnly: true });
      optionalString(problems, value.value, SLACK_LIMITS.button.value, `${path}/value`);
      optionalString(problems, value.url, SLACK_LIMITS.button.url, `${path}/url`);
      optionalString(problems, value.accessibility_label, SLACK_LIMITS.button.accessibilityLabel, `${path}/accessibility_label`);
      if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') problems.push(slackError('must be primary or danger', `${path}/style`));
      return;
    case 'plain_text_input':
      for (const bound of ['min_length', 'max_length'] as const) {
        const n = value[bound];
        if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > SLACK_LIMITS.plainTextInput.length)) {
          problems.push(slackError(`must be an integer from 0 to ${SLACK_LIMITS.plainTextInput.length}`, `${path}/${bound}`));
        }
      }
      return;
    case 'static_select':
    case 'checkboxes':
      list(problems, value.options, SLACK_LIMITS.option.options, `${path}/options`, (item, at) => option(problems, item, at));
      if (value.initial_option !== undefined) option(problems, value.initial_option, `${path}/initial_option`);
      return;
    case 'number_input':
      if (typeof value.is_decimal_allowed !== 'boolean') problems.push(slackError('is_decimal_allowed is required and must be a boolean', `${path}/is_decimal_allowed`));
      for (const bound of ['initial_value', 'min_value', 'max_value'] as const) {
        if (value[bound] !== undefined && (typeof value[bound] !== 'string' || !Number.isFinite(Number(value[bound])))) problems.push(slackError('must be a number as a string', `${path}/${bound}`));
      }
      return;
    case 'datepicker':
      if (value.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(value.initial_date))) problems.push(slackError('must be YYYY-MM-DD', `${path}/initial_date`));
  }
}

function option(problems: Problems, value: unknown, path: string): void {
  if (!isObject(value)) return void problems.push(slackError('must be an option object', path));
  unknownFields(problems, value, ['text', 'value', 'description', 'url'], path);
  textObject(problems, value.text, SLACK_LIMITS.option.text, `${path}/text`);
  string(problems, value.value, SLACK_LIMITS.option.value, `${path}/value`);
}

function image(problems: Problems, value: Json, path: string): void {
  string(problems, value.alt_text, SLACK_LIMITS.image.altText, `${path}/alt_text`);
  if (value.slack_file === undefined) string(problems, value.image_url, SLACK_LIMITS.image.url, `${path}/image_url`);
  if (value.title !== undefined) textObject(problems, value.title, SLACK_LIMITS.image.title, `${path}/title`, { plainOnly: true });
}

/** A composition text object: plain_text (may carry `emoji`) or mrkdwn (may carry `verbatim`), 1 to max characters. */
function textObject(problems: Problems, value: unknown, max: number, path: string, options: { plainOnly?: boolean } = {}): void {
  if (!isObject(value)) return void problems.push(slackError('must be a text object', path));
  if (value.type === 'plain_text') unknownFields(problems, value, ['type', 'text', 'emoji'], path);
  else if (value.type === 'mrkdwn' && !options.plainOnly) unknownFields(problems, value, ['type', 'text', 'verbatim'], path);
  else return void problems.push(slackError(options.plainOnly ? 'must be plain_text' : 'must be plain_text or mrkdwn', `${path}/type`));
  string(problems, value.text, max, `${path}/text`);
  if (value.text === '') problems.push(slackError('must be more than 0 characters', `${path}/text`));
}

function list(problems: Problems, value: unknown, max: number, path: string, each: (item: unknown, at: string) => void): void {
  if (!Array.isArray(value) || value.length === 0) return void problems.push(slackError('must be a non-empty array', path));
  if (value.length > max) problems.push(slackError(`no more than ${max} items allowed`, path));
  value.forEach((item, index) => each(item, `${path}/${index}`));
}

function optionalString(problems: Problems, value: unknown, max: number, path: string): void {
  if (value !== undefined) string(problems, value, max, path);
}

function string(problems: Problems, value: unknown, max: number, path: string): void {
  if (typeof value !== 'string') return void problems.push(slackError('must be a string', path));
  if (value.length > max) problems.push(slackError(`must be less than ${max + 1} characters`, path));
}

function unknownFields(problems: Problems, value: Json, known: readonly string[], path: string): void {
  for (const name of Object.keys(value)) if (!known.includes(name)) problems.push(slackError('unsupported field', `${path}/${name}`));
}

function slackError(message: string, at: string): string {
  return `[ERROR] ${message} [json-pointer:${at}]`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
