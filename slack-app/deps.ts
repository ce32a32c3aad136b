import type { Client } from '@temporalio/client';
import type { Config } from '../domain/config';
import type { SigningKey } from '../client/signing-key-file';
import type { Store } from '../client/store';

/** What handlers work with. No state of their own: Temporal and the store hold it all. */
export interface SlackAppDeps {
  config: Config;
  client: Client;
  /** Triage decisions and refused-vote audit records; without it triage is unavailable. */
  db?: Store;
  /** Signs the votes of people Bolt has authenticated; without it Slack cannot vote. */
  signer?: SigningKey;
}

/** Said when a triage button is used without a store. */
export const NO_STORE = 'Triage needs the store, and this Slack app has none (DATABASE_URL is not set). Use `secops findings` where the store is configured.';
