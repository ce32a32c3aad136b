import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SLACK_LIMITS, slackMessageProblems, slackViewProblems } from './slack-limits';

export interface RecordedCall {
  /** The Web API method (`chat.postMessage`), or `response_url` for a post to a response URL. */
  method: string;
  /** The body as parsed: form fields or JSON, with JSON-encoded `blocks`, `attachments` and `view` decoded. */
  args: Record<string, unknown>;
  /** For `response_url` posts: the `<id>` of `/response/<id>`. */
  responseId?: string;
  /** The HTTP status answered: 200 for the Web API (even when refused), 429 when rate limited, 404 for a dead response_url. */
  status: number;
  /** Why Slack would refuse the call (token, arguments, channel, trigger, Block Kit limits); empty when it succeeded. */
  problems: string[];
  response: Record<string, unknown>;
}

/** A conversation in the fake workspace, as the bot sees it. */
export interface SlackChannel {
  /** `C…`, as Slack answers with ids. */
  id: string;
  /** Without `#`; chat.postMessage also takes `#name` and answers with the id. */
  name: string;
  /** Whether the bot has been invited. */
  member: boolean;
  /** A private channel is invisible to a bot that is not in it: channel_not_found, not not_in_channel. */
  private?: boolean;
  archived?: boolean;
  /** People in the channel besides the bot (whose membership is `member`). */
  members?: string[];
}

/** A channel as the fake holds it now: who is in it (the bot too, once a member) and which messages are pinned. */
export interface SlackChannelState extends SlackChannel {
  members: string[];
  pins: string[];
}

export interface SlackApiServerOptions {
  botToken: string;
  /** The workspace's channels; any other channel is channel_not_found. DMs (user ids, `D…`) always exist. */
  channels?: SlackChannel[];
  /** Workspace members by user id, for `users.info`. */
  users?: Record<string, { name: string }>;
  /** User group id → member user ids, for `usergroups.users.list`. */
  usergroups?: Record<string, string[]>;
  /** The fake's clock in ms, which trigger_id and response_url lifetimes are measured on; the wall clock by default. */
  now?: () => number;
}

export interface SlackApiServer {
  /** Give to WebClient / Bolt as `slackApiUrl`. */
  url: string;
  /** Issues a response_url (for a slash command or action payload) that accepts Slack's 5 posts within 30 minutes. */
  responseUrl(id: string): string;
  /** Issues a trigger_id, as Slack puts one in a slash command or an interaction: one views.open within 3 s. */
  triggerId(): string;
  /** The next `calls` calls of `method` are answered HTTP 429 `ratelimited` with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, calls: number, retryAfterSeconds?: number): void;
  /** Changes a user group's members, as an admin would in Slack. */
  setUsergroupMembers(usergroup: string, users: string[]): void;
  /** A person's message in a channel (at `ts`, or now), as conversations.history will answer it; returns its ts. */
  postAsUser(input: { channel: string; user: string; text: string; ts?: string }): string;
  /** A channel by id or name, with its members and pins, as the workspace holds it now. */
  conversation(ref: string): SlackChannelState | undefined;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** The first call (past or future) to `method` that `predicate` accepts. */
  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  close(): Promise<void>;
}

export const TEAM_ID = 'T0ACME';
export const BOT_USER_ID = 'U0SECOPS';

/** Slack's documented lifetimes: a trigger_id expires after 3 s; a response_url takes 5 posts within 30 minutes. */
export const TRIGGER_LIFETIME_MS = 3_000;
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

type Args = Record<string, unknown>;
type Reply = Record<string, unknown>;

/** Slack's own shape for a refused call; the messages become the recorded problems. */
function refuse(error: string, messages: string[] = []): Reply {
  return { ok: false, error, ...(messages.length > 0 ? { response_metadata: { messages } } : {}) };
}

function missing(args: Args, ...names: string[]): string[] {
  return names.filter((name) => args[name] === undefined || args[name] === '').map((name) => `[ERROR] missing required field: ${name}`);
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * The Slack Web API on loopback, strict where Slack is strict, with Slack's documented
 * limits written in test/support/slack-limits.ts (never the product's): the bot token on
 * every call, each method's required arguments, which channels exist and which the bot is
 * in, single-use trigger_ids that expire, response_urls it issued and their limits, rate
 * limits on demand. Every call is recorded with what was wrong with it.
 */
export async function startSlackApiServer(options: SlackApiServerOptions): Promise<SlackApiServer> {
  const now = options.now ?? Date.now;
  const calls: RecordedCall[] = [];
  const waiters = new Set<(call: RecordedCall) => boolean>();
  const channels = new Map((options.channels ?? []).map((channel) => [channel.id, channel]));
  const directMessages = new Map<string, string>();
  /** Every message by `<channel id>/<ts>`, as posted, then updated. */
  const messages = new Map<string, { channel: string; ts: string; user: string; text?: unknown; blocks?: unknown }>();
  const members = new Map<string, Set<string>>();
  const pins = new Set<string>();
  const triggers = new Map<string, { issuedAt: number; used: boolean }>();
  /** Open modals by view id, with the hash an update must quote (Slack's guard against a stale update). */
  const modals = new Map<string, { hash: string }>();
  const responseUrls = new Map<string, { issuedAt: number; uses: number }>();
  const rateLimits = new Map<string, { calls: number; retryAfterSeconds: number }>();
  const usergroups = new Map(Object.entries(options.usergroups ?? {}));
  let sequence = 0;
  const nextTs = () => `${Math.floor(now() / 1000)}.${String(++sequence).padStart(6, '0')}`;

  /** Who is in a channel besides the bot: the channel's own list, then whoever was invited. */
  const membersOf = (channel: SlackChannel) => {
    let set = members.get(channel.id);
    if (!set) members.set(channel.id, (set = new Set(channel.members ?? [])));
    return set;
  };
  /** A channel the bot can see by its id (the conversations.* methods take ids only). */
  const visible = (ref: unknown): SlackChannel | undefined => {
    const channel = channels.get(String(ref));
    return channel && (!channel.private || channel.member) ? channel : undefined;
  };
  const channelObject = (channel: SlackChannel) => ({
    id: channel.id, name: channel.name, name_normalized: channel.name, is_channel: !channel.private, is_group: channel.private === true, is_private: channel.private === true,
    is_archived: channel.archived === true, is_member: channel.member, creator: BOT_USER_ID, created: Math.floor(now() / 1000),
  });

  /** The app's DM with a set of users: one stable id each, as conversations.open answers. */
  const directMessage = (users: string[]) => {
    const key = [...users].sort().join(',');
    const id = directMessages.get(key) ?? `${users.length === 1 ? 'D' : 'G'}0DM${String(directMessages.size + 1).padStart(6, '0')}`;
    directMessages.set(key, id);
    return id;
  };

  /** Where a message to `ref` lands, or why Slack refuses it: a channel id or name, a DM id, or a user id (the app's DM). */
  const destination = (ref: string): { id: string } | { error: string; message: string } => {
    if (USER_ID.test(ref)) return { id: directMessage([ref]) };
    if ([...directMessages.values()].includes(ref)) return { id: ref };
    const name = ref.replace(/^#/, '');
    const channel = channels.get(ref) ?? [...channels.values()].find((c) => c.name === name);
    if (!channel || (channel.private && !channel.member)) return { error: 'channel_not_found', message: `no channel ${ref} the bot can see` };
    if (channel.archived) return { error: 'is_archived', message: `#${channel.name} is archived` };
    if (!channel.member) return { error: 'not_in_channel', message: `the bot is not a member of #${channel.name}` };
    return { id: channel.id };
  };

  /** A message's channel id once Slack would accept it, or Slack's refusal. */
  const checkedMessage = (args: Args, ...required: string[]): { channel: string } | { refused: Reply } => {
    const absent = missing(args, 'channel', ...required);
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) absent.push('[ERROR] one of text, blocks or attachments is required');
    if (absent.length > 0) return { refused: refuse('invalid_arguments', absent) };
    const where = destination(String(args.channel));
    if ('error' in where) return { refused: refuse(where.error, [where.message]) };
    if (typeof args.text === 'string' && args.text.length > SLACK_LIMITS.messageText) return { refused: refuse('msg_too_long', [`text has ${args.text.length} characters`]) };
    const problems = slackMessageProblems(args);
    return problems.length > 0 ? { refused: refuse('invalid_blocks', problems) } : { channel: where.id };
  };

  const methods: Record<string, (args: Args) => Reply> = {
    'auth.test': () => ({ ok: true, url: 'https://acme-security.slack.com/', team: 'Acme Security', team_id: TEAM_ID, user: 'secops', user_id: BOT_USER_ID, bot_id: 'B0SECOPS' }),
    'chat.postMessage': (args) => {
      const checked = checkedMessage(args);
      if ('refused' in checked) return checked.refused;
      const ts = nextTs();
      messages.set(`${checked.channel}/${ts}`, { channel: checked.channel, ts, user: BOT_USER_ID, text: args.text, blocks: args.blocks });
      return { ok: true, channel: checked.channel, ts, message: { type: 'message', user: BOT_USER_ID, ts, text: args.text, blocks: args.blocks } };
    },
    'chat.update': (args) => {
      const checked = checkedMessage(args, 'ts');
      if ('refused' in checked) return checked.refused;
      const message = messages.get(`${String(args.channel)}/${String(args.ts)}`);
      if (!message) return refuse('message_not_found', [`no message ${String(args.ts)} in channel ${String(args.channel)} (chat.update wants the channel id chat.postMessage answered)`]);
      if (message.user !== BOT_USER_ID) return refuse('cant_update_message', [`message ${message.ts} was not posted by the app`]);
      Object.assign(message, { text: args.text, blocks: args.blocks });
      return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
    },
    'chat.postEphemeral': (args) => {
      const checked = checkedMessage(args, 'user');
      return 'refused' in checked ? checked.refused : { ok: true, message_ts: nextTs() };
    },
    'views.open': (args) => {
      const absent = missing(args, 'trigger_id', 'view');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      const trigger = triggers.get(String(args.trigger_id));
      if (!trigger) return refuse('invalid_arguments', ['invalid `trigger_id`']);
      if (trigger.used) return refuse('exchanged_trigger_id', [`trigger_id ${String(args.trigger_id)} was already used`]);
      trigger.used = true;
      if (now() - trigger.issuedAt > TRIGGER_LIFETIME_MS) return refuse('expired_trigger_id', [`trigger_id ${String(args.trigger_id)} is older than 3 s`]);
      return view(args.view, 'modal');
    },
    'views.update': (args) => {
      const absent = missing(args, 'view');
      if (args.view_id === undefined && args.external_id === undefined) absent.push('[ERROR] one of view_id or external_id is required');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      const open = modals.get(String(args.view_id));
      if (!open) return refuse('not_found', [`no open view ${String(args.view_id)}`]);
      if (args.hash !== undefined && args.hash !== open.hash) return refuse('hash_conflict', [`hash ${String(args.hash)} is not the view's current one`]);
      const updated = view(args.view, 'modal', String(args.view_id));
      return updated;
    },
    'views.publish': (args) => {
      const absent = missing(args, 'user_id', 'view');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      if (!USER_ID.test(String(args.user_id))) return refuse('invalid_arguments', [`[ERROR] not a user id: ${String(args.user_id)} [json-pointer:/user_id]`]);
      return view(args.view, 'home');
    },
    'usergroups.users.list': (args) => {
      const absent = missing(args, 'usergroup');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      const users = usergroups.get(String(args.usergroup));
      return users ? { ok: true, users: [...users] } : refuse('no_such_subteam', [`no user group ${String(args.usergroup)}`]);
    },
    'users.info': (args) => {
      const absent = missing(args, 'user');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      const id = String(args.user);
      const user = options.users?.[id];
      return user ? { ok: true, user: { id, team_id: TEAM_ID, name: user.name, real_name: user.name, is_bot: false, profile: { display_name: user.name, real_name: user.name } } } : refuse('user_not_found', [`no user ${id}`]);
    },
    'conversations.open': (args) => {
      if (args.users === undefined && args.channel === undefined) return refuse('invalid_arguments', ['[ERROR] one of users or channel is required']);
      if (args.channel !== undefined) {
        const where = destination(String(args.channel));
        return 'error' in where ? refuse(where.error, [where.message]) : { ok: true, channel: { id: where.id } };
      }
      const users = String(args.users).split(',').filter(Boolean);
      if (users.length === 0 || !users.every((user) => USER_ID.test(user))) return refuse('user_not_found', [`not user ids: ${String(args.users)}`]);
      return { ok: true, channel: { id: directMessage(users) } };
    },
    'conversations.create': (args) => {
      if (missing(args, 'name').length > 0) return refuse('invalid_name_required', ['[ERROR] missing required field: name']);
      const name = String(args.name);
      if (name.length > 80) return refuse('invalid_name_maxlength', [`a channel name has at most 80 characters, ${name} has ${name.length}`]);
      if (!/^[a-z0-9_-]+$/.test(name)) return refuse('invalid_name_specials', [`a channel name has only lowercase letters, digits, hyphens and underscores: ${name}`]);
      // Archived channels keep their names.
      if ([...channels.values()].some((c) => c.name === name)) return refuse('name_taken', [`#${name} already exists`]);
      const channel: SlackChannel = { id: `C0INC${String(channels.size + 1).padStart(6, '0')}`, name, member: true, private: String(args.is_private) === 'true' };
      channels.set(channel.id, channel);
      return { ok: true, channel: channelObject(channel) };
    },
    'conversations.info': (args) => {
      if (missing(args, 'channel').length > 0) return refuse('invalid_arguments', missing(args, 'channel'));
      const channel = visible(args.channel);
      return channel ? { ok: true, channel: channelObject(channel) } : refuse('channel_not_found', [`no channel ${String(args.channel)} the bot can see`]);
    },
    'conversations.list': (args) => {
      const types = String(args.types ?? 'public_channel').split(',');
      const listed = [...channels.values()].filter((c) => (c.private ? types.includes('private_channel') && c.member : types.includes('public_channel')) && !(c.archived && String(args.exclude_archived) === 'true'));
      const from = Number(args.cursor ?? 0);
      const limit = Math.min(Number(args.limit ?? 100), 1000);
      const page = listed.slice(from, from + limit);
      return { ok: true, channels: page.map(channelObject), response_metadata: { next_cursor: from + limit < listed.length ? String(from + limit) : '' } };
    },
    'conversations.join': (args) => {
      const channel = visible(args.channel);
      if (!channel) return refuse('channel_not_found', [`no channel ${String(args.channel)} the bot can see`]);
      if (channel.archived) return refuse('is_archived', [`#${channel.name} is archived`]);
      if (channel.private) return refuse('method_not_supported_for_channel_type', ['a bot cannot join a private channel: it must be invited']);
      channel.member = true;
      return { ok: true, channel: channelObject(channel) };
    },
    'conversations.members': (args) => {
      const channel = visible(args.channel);
      if (!channel) return refuse('channel_not_found', [`no channel ${String(args.channel)} the bot can see`]);
      return { ok: true, members: [...(channel.member ? [BOT_USER_ID] : []), ...membersOf(channel)], response_metadata: { next_cursor: '' } };
    },
    'conversations.invite': (args) => {
      const absent = missing(args, 'channel', 'users');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      const channel = visible(args.channel);
      if (!channel) return refuse('channel_not_found', [`no channel ${String(args.channel)} the bot can see`]);
      if (channel.archived) return refuse('is_archived', [`#${channel.name} is archived`]);
      if (!channel.member) return refuse('not_in_channel', [`the bot is not a member of #${channel.name}`]);
      const force = String(args.force) === 'true';
      const users = String(args.users).split(',').filter(Boolean);
      if (users.length > 1000) return refuse('invalid_arguments', [`at most 1000 users, ${users.length} given`]);
      const refusal = (user: string) => (user === BOT_USER_ID ? 'cant_invite_self' : !USER_ID.test(user) || (options.users && !options.users[user]) ? 'user_not_found' : undefined);
      const refused = users.filter((user) => refusal(user) !== undefined);
      if (refused.length > 0 && !force) return refuse(refusal(refused[0]!)!, [`cannot invite ${refused.join(', ')}`]);
      const invited = users.filter((user) => refusal(user) === undefined && !membersOf(channel).has(user));
      if (invited.length === 0) return refuse('already_in_channel', [`${users.join(', ')} already in #${channel.name}, or not invitable`]);
      for (const user of invited) membersOf(channel).add(user);
      return { ok: true, channel: channelObject(channel) };
    },
    'conversations.history': (args) => {
      const channel = visible(args.channel);
      if (!channel) return refuse('channel_not_found', [`no channel ${String(args.channel)} the bot can see`]);
      if (!channel.member) return refuse('not_in_channel', [`the bot is not a member of #${channel.name}`]);
      const inclusive = String(args.inclusive) === 'true';
      const latest = args.latest === undefined ? undefined : tsValue(String(args.latest));
      const oldest = args.oldest === undefined ? undefined : tsValue(String(args.oldest));
      const within = (ts: bigint) => (latest === undefined || ts < latest || (inclusive && ts === latest)) && (oldest === undefined || ts > oldest || (inclusive && ts === oldest));
      const found = [...messages.values()].filter((m) => m.channel === channel.id && within(tsValue(m.ts))).sort((a, b) => (tsValue(b.ts) > tsValue(a.ts) ? 1 : -1));
      const limit = Math.min(Number(args.limit ?? 100), 999);
      return { ok: true, messages: found.slice(0, limit).map(({ channel: _channel, ...m }) => ({ type: 'message', ...m })), has_more: found.length > limit };
    },
    'pins.add': (args) => {
      const absent = missing(args, 'channel');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      if (args.timestamp === undefined) return refuse('no_item_specified', ['pins.add needs the timestamp of the message to pin']);
      const where = destination(String(args.channel));
      if ('error' in where) return refuse(where.error, [where.message]);
      const key = `${where.id}/${String(args.timestamp)}`;
      if (!messages.has(key)) return refuse('message_not_found', [`no message ${String(args.timestamp)} in ${where.id}`]);
      if (pins.has(key)) return refuse('already_pinned', [`message ${String(args.timestamp)} is already pinned`]);
      pins.add(key);
      return { ok: true };
    },
  };

  function view(value: unknown, surface: 'modal' | 'home', id = `V0${String(++sequence).padStart(8, '0')}`): Reply {
    const problems = slackViewProblems(value, surface);
    if (problems.length > 0) return refuse('invalid_arguments', problems);
    const hash = `${Math.floor(now() / 1000)}.${randomBytes(4).toString('hex')}`;
    if (surface === 'modal') modals.set(id, { hash });
    return { ok: true, view: { id, team_id: TEAM_ID, hash, ...(value as Args), state: { values: {} } } };
  }

  /** Slack's incoming-webhook style answers: the URL must be one Slack issued, still alive, with uses left. */
  function respondAt(responseId: string, args: Args): { status: number; reply: Reply } {
    const issued = responseUrls.get(responseId);
    if (!issued) return { status: 404, reply: refuse('no_service', [`no response_url ${responseId} was issued`]) };
    if (now() - issued.issuedAt > RESPONSE_URL_LIFETIME_MS) return { status: 404, reply: refuse('expired_url', [`response_url ${responseId} is older than 30 minutes`]) };
    if (issued.uses >= RESPONSE_URL_USES) return { status: 404, reply: refuse('used_url', [`response_url ${responseId} was already used ${RESPONSE_URL_USES} times`]) };
    issued.uses += 1;
    if (args.text === undefined && args.blocks === undefined && args.delete_original === undefined) return { status: 400, reply: refuse('no_text', ['one of text or blocks is required']) };
    const problems = slackMessageProblems(args);
    return problems.length > 0 ? { status: 400, reply: refuse('invalid_blocks', problems) } : { status: 200, reply: { ok: true } };
  }

  function answer(method: string, authorization: string | undefined, args: Args | string[], responseId?: string): { status: number; reply: Reply; retryAfter?: number } {
    const call: RecordedCall = { method, args: Array.isArray(args) ? {} : args, responseId, status: 200, problems: [], response: {} };
    const limited = rateLimits.get(method);
    let retryAfter: number | undefined;
    if (limited && limited.calls > 0) {
      limited.calls -= 1;
      retryAfter = limited.retryAfterSeconds;
      call.status = 429;
      call.response = refuse('ratelimited');
    } else if (Array.isArray(args)) {
      call.status = method === 'response_url' ? 400 : 200;
      call.response = refuse(method === 'response_url' ? 'invalid_payload' : 'invalid_form_data', args);
    } else if (method === 'response_url') {
      const responded = respondAt(responseId ?? '', args);
      call.status = responded.status;
      call.response = responded.reply;
    } else {
      const token = authorization?.replace(/^Bearer /, '') ?? (typeof args.token === 'string' ? args.token : undefined);
      if (!token) call.response = refuse('not_authed');
      else if (token !== options.botToken) call.response = refuse('invalid_auth');
      else call.response = methods[method]?.(args) ?? refuse('unknown_method', [`no method ${method}`]);
    }
    if (call.response.ok !== true) {
      const metadata = call.response.response_metadata as { messages?: string[] } | undefined;
      call.problems = metadata?.messages ?? [String(call.response.error)];
    }
    calls.push(call);
    for (const waiter of waiters) waiter(call);
    return { status: call.status, reply: call.response, retryAfter };
  }

  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const responseId = /^\/response\/([^/]+)$/.exec(path)?.[1];
      const method = responseId !== undefined ? 'response_url' : path.replace(/^\/api\//, '');
      const { status, reply, retryAfter } = answer(method, request.headers.authorization, parseArgs(request.headers['content-type'], body), responseId && decodeURIComponent(responseId));
      response.statusCode = status;
      if (retryAfter !== undefined) response.setHeader('retry-after', String(retryAfter));
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.end(JSON.stringify(reply));
    }, () => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}/api/`,
    responseUrl(id) {
      if (!responseUrls.has(id)) responseUrls.set(id, { issuedAt: now(), uses: 0 });
      return `${base}/response/${encodeURIComponent(id)}`;
    },
    triggerId() {
      const id = `${Math.floor(now() / 1000)}.${++sequence}.${randomBytes(8).toString('hex')}`;
      triggers.set(id, { issuedAt: now(), used: false });
      return id;
    },
    rateLimit(method, count, retryAfterSeconds = 1) {
      rateLimits.set(method, { calls: count, retryAfterSeconds });
    },
    setUsergroupMembers(usergroup, users) {
      usergroups.set(usergroup, [...users]);
    },
    postAsUser(input) {
      const channel = channels.get(input.channel);
      if (!channel) throw new Error(`no channel ${input.channel} to post in`);
      const ts = input.ts ?? nextTs();
      messages.set(`${channel.id}/${ts}`, { channel: channel.id, ts, user: input.user, text: input.text });
      return ts;
    },
    conversation(ref) {
      const channel = channels.get(ref) ?? [...channels.values()].find((c) => c.name === ref);
      if (!channel) return undefined;
      return {
        ...channel, members: [...(channel.member ? [BOT_USER_ID] : []), ...membersOf(channel)],
        pins: [...pins].filter((key) => key.startsWith(`${channel.id}/`)).map((key) => key.slice(channel.id.length + 1)),
      };
    },
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    waitForCall(method, predicate = () => true, timeoutMs = 5_000) {
      const matches = (call: RecordedCall) => call.method === method && predicate(call);
      const seen = calls.find(matches);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (call: RecordedCall) => {
          if (!matches(call)) return false;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(call);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching ${method} call within ${timeoutMs} ms; calls so far: ${calls.map((c) => c.method).join(', ') || 'none'}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A ts as one number of microseconds: `seconds.micros` has too many digits for a float to compare exactly. */
function tsValue(ts: string): bigint {
  const [seconds = '0', micros = ''] = ts.split('.');
  return /^\d+$/.test(seconds) && /^\d*$/.test(micros) ? BigInt(seconds) * 1_000_000n + BigInt(micros.padEnd(6, '0').slice(0, 6)) : -1n;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * WebClient posts form fields with objects JSON-encoded; response_url posts and some
 * clients send JSON. Either way the args come out as objects, or as the problems found.
 */
function parseArgs(contentType: string | undefined, body: string): Args | string[] {
  try {
    if (contentType?.startsWith('application/json')) return body ? (JSON.parse(body) as Args) : {};
    const args: Args = Object.fromEntries(new URLSearchParams(body));
    for (const name of ['blocks', 'attachments', 'view']) {
      if (typeof args[name] === 'string') args[name] = JSON.parse(args[name]);
    }
    return args;
  } catch {
    return ['[ERROR] body or one of its JSON fields is not valid JSON'];
  }
}
