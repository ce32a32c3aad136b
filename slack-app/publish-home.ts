import type { WebClient } from '@slack/web-api';
import type { Client } from '@temporalio/client';
import { appHomeView } from '../render/slack/app-home';
import { myPendingApprovals } from '../client/pending-approvals';
import { recentScans } from '../client/recent-scans';

/** Draws one user's App Home from what Temporal knows now. */
export async function publishHome(slack: WebClient, client: Client, user: string): Promise<void> {
  const [approvals, scans] = await Promise.all([myPendingApprovals(client, `slack:${user}`), recentScans(client)]);
  await slack.views.publish({ user_id: user, view: appHomeView({ approvals, scans }) });
}
