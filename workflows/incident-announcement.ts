import { condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { failureMessage } from '../domain/failure-message';
import type { IncidentView } from '../domain/incident';
import type { IncidentRun } from './incident-run';

// A regular activity, as the store's batches are (incident-run.ts): how many updates are sent
// depends on when the last one finished, which only a regular activity's completion keeps in history.
const slack = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } });

/**
 * Shows the incident in Slack: the first time its channel and pinned status message, later
 * the same message updated in place. Where the message is lives in the view, so the run's
 * history keeps it across worker restarts. Slack being down is noted on the timeline and
 * never fails the incident: the next change tries again.
 */
export async function announce(incident: IncidentRun): Promise<void> {
  try {
    const { channel, ts } = await slack.announceIncident({ view: incident.view });
    const known = incident.view.statusMessage;
    if (!channel || !ts || (known?.channel === channel && known.ts === ts)) return;
    incident.view.channel = channel;
    incident.view.statusMessage = { channel, ts };
    await incident.save();
  } catch (error) {
    if (isCancellation(error)) throw error;
    await incident.record('note', 'system', `the Slack status message was not updated: ${failureMessage(error)}`);
  }
}

/**
 * Announces every change to what the status message shows, one update at a time (changes
 * made meanwhile are shown by the next), until the incident closes: the closing update is
 * the caller's, after this has returned, so no stale update can land after it.
 */
export async function keepAnnounced(incident: IncidentRun): Promise<void> {
  let shown = shownOf(incident.view);
  for (;;) {
    await condition(() => incident.closed || shownOf(incident.view) !== shown);
    if (incident.closed) return;
    shown = shownOf(incident.view);
    await announce(incident);
  }
}

/** The view but for where the message itself is: storing that must not count as a change to show. */
function shownOf({ channel: _channel, statusMessage: _statusMessage, ...shown }: IncidentView): string {
  return JSON.stringify(shown);
}
