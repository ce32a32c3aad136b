import type { WebClient } from '@slack/web-api';
import type { Client } from '@temporalio/client';
import { appHomeView } from '../render/slack/app-home';
import { myPendingApprovals } from './my-approvals';
import { recentScans } from './recent-scans';

/** Draws one user's App Home from what Temporal knows now. */
export async function publishHome(slack: WebClient, client: Client, user: string): Promise<void> {
  const [approvals, scans] = await Promise.all([myPendingApprovals(client, user), recentScans(client)]);
  await slack.views.publish({ user_id: user, view: appHomeView({ approvals, scans }) });
}
