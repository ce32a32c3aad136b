import type { App } from '@slack/bolt';
import { TRIAGE_ACTIONS } from '../../render/slack/scan-summary';
import { acceptRiskModal, ticketModal } from '../../render/slack/triage-modals';
import { NO_STORE, type SlackAppDeps } from '../deps';
import { openModal } from '../open-modal';
import { buttonClickSchema, triageRefSchema } from '../payloads';
import { recordTriage } from '../../client/record-triage';
import { tellUser } from '../tell-user';
import { slackRequester } from '../requester';
import { triageRefused } from '../triage-authority';

/**
 * The scan summary's triage buttons. Accept risk and Ticket link ask for details in a
 * modal (the TriageRef rides along as private_metadata); False positive needs nothing more.
 */
export function registerTriageButtons(app: App, deps: SlackAppDeps): void {
  const modals = { [TRIAGE_ACTIONS.acceptRisk]: { modal: acceptRiskModal, button: 'Accept risk' }, [TRIAGE_ACTIONS.ticket]: { modal: ticketModal, button: 'Ticket link' } };
  for (const [actionId, { modal, button }] of Object.entries(modals)) {
    app.action(actionId, async ({ ack, body, client, logger }) => {
      await ack();
      const click = triageClick(body);
      if (!click) return logger.warn(`${actionId}: unreadable click`);
      if (!deps.db) return tellUser(client, click, NO_STORE);
      // Told before the form opens; the submission is checked again with what it says (an accepted risk's end).
      const refused = await triageRefused(deps, slackRequester(client, click.user), click.ref, { kind: actionId === TRIAGE_ACTIONS.ticket ? 'ticket' : 'false-positive' });
      if (refused) return tellUser(client, click, `:no_entry: ${refused}`);
      await openModal(client, click, modal(click.value), button);
    });
  }

  app.action(TRIAGE_ACTIONS.falsePositive, async ({ ack, body, client, logger }) => {
    await ack();
    const click = triageClick(body);
    if (!click) return logger.warn(`${TRIAGE_ACTIONS.falsePositive}: unreadable click`);
    if (!deps.db) return tellUser(client, click, NO_STORE);
    const { user, ref } = click;
    const refused = await triageRefused(deps, slackRequester(client, user), ref, { kind: 'false-positive' });
    if (refused) return tellUser(client, click, `:no_entry: ${refused}`);
    await recordTriage(deps.db, { targetId: ref.t, fingerprint: ref.f, kind: 'false-positive', reason: `marked false positive in Slack by <@${user}>`, decidedBy: `slack:${user}` });
    await tellUser(client, click, `Marked as a false positive for *${ref.t}*: later scans suppress this finding.`);
  });
}

function triageClick(body: unknown) {
  const click = buttonClickSchema.safeParse(body);
  const ref = triageRefSchema.safeParse(click.success ? click.data.value : undefined);
  return click.success && ref.success ? { ...click.data, ref: ref.data } : undefined;
}
