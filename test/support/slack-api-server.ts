import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkMessage, checkView } from '../../slack-app/blocks/limits';

export interface RecordedCall {
  /** The Web API method (`chat.postMessage`), or `response_url` for a post to a response URL. */
  method: string;
  /** The body as parsed: form fields or JSON, with JSON-encoded `blocks`, `attachments` and `view` decoded. */
  args: Record<string, unknown>;
  /** For `response_url` posts: the `<id>` of `/response/<id>`. */
  responseId?: string;
  /** Why Slack would refuse the call (token, arguments, Block Kit limits, unknown ids); empty when it succeeded. */
  problems: string[];
  response: Record<string, unknown>;
}

export interface SlackApiServerOptions {
  botToken: string;
  /** Workspace members by user id, for `users.info`. */
  users?: Record<string, { name: string }>;
  /** User group id → member user ids, for `usergroups.users.list`. */
  usergroups?: Record<string, string[]>;
}

export interface SlackApiServer {
  /** Give to WebClient / Bolt as `slackApiUrl`. */
  url: string;
  /** A response_url to put in a slash command or action payload; Bolt's `respond()` posts there. */
  responseUrl(id: string): string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** The first call (past or future) to `method` that `predicate` accepts. */
  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  close(): Promise<void>;
}

export const TEAM_ID = 'T0ACME';
export const BOT_USER_ID = 'U0SECOPS';

type Args = Record<string, unknown>;
type Reply = Record<string, unknown>;

/** Slack's own shape for a refused call; the messages become the recorded problems. */
function refuse(error: string, messages: string[] = []): Reply {
  return { ok: false, error, ...(messages.length > 0 ? { response_metadata: { messages } } : {}) };
}

function missing(args: Args, ...names: string[]): string[] {
  return names.filter((name) => args[name] === undefined || args[name] === '').map((name) => `[ERROR] missing required field: ${name}`);
}

/**
 * The Slack Web API on loopback, strict where Slack is strict: the bot token, each
 * method's required arguments, Block Kit limits on every message and view, channel ids
 * from chat.postMessage for chat.update. Every call is recorded with what was wrong with it.
 */
export async function startSlackApiServer(options: SlackApiServerOptions): Promise<SlackApiServer> {
  const calls: RecordedCall[] = [];
  const waiters = new Set<(call: RecordedCall) => boolean>();
  const channelIds = new Map<string, string>();
  const messages = new Set<string>();
  let sequence = 0;

  /** Names (`#secops`) get a stable id, as Slack answers with ids; ids pass through. */
  const channelId = (channel: string, prefix = 'C') => {
    if (/^[CDG][A-Z0-9]{2,}$/.test(channel)) return channel;
    const id = channelIds.get(channel) ?? `${prefix}0${String(channelIds.size + 1).padStart(8, '0')}`;
    channelIds.set(channel, id);
    return id;
  };

  const postMessage = (args: Args, ...required: string[]): Reply | undefined => {
    const absent = missing(args, 'channel', ...required);
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) absent.push('[ERROR] one of text, blocks or attachments is required');
    if (absent.length > 0) return refuse('invalid_arguments', absent);
    const problems = checkMessage(args);
    return problems.length > 0 ? refuse('invalid_blocks', problems) : undefined;
  };

  const methods: Record<string, (args: Args) => Reply> = {
    'auth.test': () => ({ ok: true, url: 'https://acme-security.slack.com/', team: 'Acme Security', team_id: TEAM_ID, user: 'secops', user_id: BOT_USER_ID, bot_id: 'B0SECOPS' }),
    'chat.postMessage': (args) => {
      const refused = postMessage(args);
      if (refused) return refused;
      const channel = channelId(String(args.channel));
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
      messages.add(`${channel}/${ts}`);
      return { ok: true, channel, ts, message: { type: 'message', user: BOT_USER_ID, ts, text: args.text, blocks: args.blocks } };
    },
    'chat.update': (args) => {
      const refused = postMessage(args, 'ts');
      if (refused) return refused;
      if (!messages.has(`${String(args.channel)}/${String(args.ts)}`)) return refuse('message_not_found', [`no message ${String(args.ts)} in channel ${String(args.channel)} (chat.update wants the channel id chat.postMessage answered)`]);
      return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
    },
    'chat.postEphemeral': (args) => postMessage(args, 'user') ?? { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}` },
    'views.open': (args) => openView(args, 'trigger_id', 'modal'),
    'views.publish': (args) => openView(args, 'user_id', 'home'),
    'usergroups.users.list': (args) => {
      const absent = missing(args, 'usergroup');
      if (absent.length > 0) return refuse('invalid_arguments', absent);
      const users = options.usergroups?.[String(args.usergroup)];
      return users ? { ok: true, users } : refuse('no_such_subteam', [`no user group ${String(args.usergroup)}`]);
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
      const users = String(args.users ?? '').split(',').filter(Boolean);
      const id = args.channel !== undefined ? String(args.channel) : channelId(`dm:${users.sort().join(',')}`, users.length === 1 ? 'D' : 'G');
      return { ok: true, channel: { id } };
    },
  };

  function openView(args: Args, target: string, type: 'modal' | 'home'): Reply {
    const absent = missing(args, target, 'view');
    if (absent.length > 0) return refuse('invalid_arguments', absent);
    const view = args.view as Args;
    const problems = checkView(view);
    if (view.type !== type) problems.push(`[ERROR] must be ${type} [json-pointer:/view/type]`);
    if (problems.length > 0) return refuse('invalid_arguments', problems);
    return { ok: true, view: { id: `V0${String(++sequence).padStart(8, '0')}`, team_id: TEAM_ID, ...view, state: { values: {} } } };
  }

  function answer(method: string, authorization: string | undefined, args: Args | string[], responseId?: string): Reply {
    const call: RecordedCall = { method, args: Array.isArray(args) ? {} : args, responseId, problems: [], response: {} };
    if (Array.isArray(args)) call.response = refuse(method === 'response_url' ? 'invalid_payload' : 'invalid_arguments', args);
    else if (method === 'response_url') {
      const problems = checkMessage(args);
      call.response = problems.length > 0 ? refuse('invalid_blocks', problems) : { ok: true };
    } else if (authorization !== `Bearer ${options.botToken}`) call.response = refuse('invalid_auth');
    else call.response = methods[method]?.(args) ?? refuse('unknown_method', [`no method ${method}`]);
    if (call.response.ok !== true) {
      const metadata = call.response.response_metadata as { messages?: string[] } | undefined;
      call.problems = metadata?.messages ?? [String(call.response.error)];
    }
    calls.push(call);
    for (const waiter of waiters) waiter(call);
    return call.response;
  }

  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const responseId = /^\/response\/([^/]+)$/.exec(path)?.[1];
      const method = responseId !== undefined ? 'response_url' : path.replace(/^\/api\//, '');
      const reply = answer(method, request.headers.authorization, parseArgs(request.headers['content-type'], body), responseId);
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.end(JSON.stringify(reply));
    }, () => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}/api/`,
    responseUrl: (id) => `${base}/response/${encodeURIComponent(id)}`,
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
