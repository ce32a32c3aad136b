import type { ModalView, WebClient } from '@slack/web-api';
import { slackPlatformErrorCode } from '../domain/slack-error';
import { tellUser } from './tell-user';

/**
 * Opens a modal for a click. Slack takes a click's trigger_id for one view within 3 s; past
 * that (a slow round trip) it answers expired_trigger_id and the person would see nothing
 * happen, so they are told to click again. Any other refusal is theirs to know too, and the
 * operator's: it is told, then thrown to the app's error handler.
 */
export async function openModal(slack: WebClient, click: { triggerId: string; user: string; channel?: string }, view: ModalView, button: string): Promise<void> {
  try {
    await slack.views.open({ trigger_id: click.triggerId, view });
  } catch (error) {
    const code = slackPlatformErrorCode(error);
    if (code === 'expired_trigger_id') return tellUser(slack, click, `:hourglass: Slack gave up on opening the form before it could open. Click ${button} again.`);
    await tellUser(slack, click, `:warning: The form could not be opened (${code ?? 'Slack unreachable'}). Click ${button} again; if it keeps failing, tell whoever runs secops-flow.`);
    throw error;
  }
}
