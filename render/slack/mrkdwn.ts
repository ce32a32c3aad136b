import type { Principal } from '../../domain/approval-rules';
import { SLACK_USER_ID } from '../../domain/slack-ids';

/**
 * Safe mrkdwn. Scanner output, titles and summaries are attacker-influenced: a finding
 * titled `<!channel>` must read as text, not page the whole channel. Slack's control
 * characters are only `&`, `<` and `>`; escaping them disarms mentions, links and dates.
 */
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Escapes and shortens to at most `max` characters, never cutting an entity or a surrogate pair. */
export function text(value: string, max: number): string {
  let out = '';
  for (const char of value) {
    const piece = ENTITY[char] ?? char;
    if (out.length + piece.length > max - 1) return `${out}…`;
    out += piece;
  }
  return out;
}

/** Like `text`, on one line: a newline in a title must not forge a line of our own. */
export function line(value: string, max: number): string {
  return text(value.replace(/[\r\n\t\u2028\u2029]+/g, ' '), max);
}

/** Inline code; a backtick in the value would end the span early, so it is swapped for a look-alike. */
export function code(value: string, max: number): string {
  return `\`${line(value.replace(/`/g, 'ˋ'), max - 2)}\``;
}

/** Plain text (headers, buttons) is not parsed for mentions, so it is only shortened. */
export function plain(value: string, max: number): string {
  const flat = value.replace(/[\r\n\t]+/g, ' ');
  if (flat.length <= max) return flat;
  let out = '';
  for (const char of flat) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}

/** A link only for http(s) URLs we were given; anything else (a report path) is shown as code. */
export function link(url: string, label: string): string {
  return /^https?:\/\/[^\s|<>]+$/.test(url) && url.length <= 2000 ? `<${url.replace(/&/g, '&amp;')}|${text(label, 200)}>` : `${text(label, 200)}: ${code(url, 300)}`;
}

/** Slack renders this in each reader's time zone; the fallback is for clients that cannot. */
export function date(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return text(iso, 64);
  const fallback = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

/** `slack:U123` → a mention, `cli:alice` → `alice (CLI)`. */
export function principal(who: Principal | 'schedule' | 'alert'): string {
  if (who === 'schedule') return 'the schedule';
  if (who === 'alert') return 'an alert';
  if (who.startsWith('cli:')) return `${text(who.slice('cli:'.length), 64)} (CLI)`;
  const id = who.slice('slack:'.length);
  return SLACK_USER_ID.test(id) ? `<@${id}>` : text(id, 64);
}
