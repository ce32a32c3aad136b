import type { KnownBlock } from '@slack/web-api';

/** What every builder returns: `text` is the notification and screen-reader fallback, `blocks` the layout. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}
