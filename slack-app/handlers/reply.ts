import type { KnownBlock } from '@slack/web-api';

/** What a `/secops` subcommand answers; sent with respond() as an ephemeral message. */
export interface Reply {
  text: string;
  blocks?: KnownBlock[];
}
