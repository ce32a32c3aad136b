import type { App } from '@slack/bolt';
import { z } from 'zod';
import { findPlaybook } from '../../client/playbooks';
import { incidentModal, PLAYBOOK_PICKER_ACTION, PLAYBOOK_PICKER_CALLBACK } from '../../render/slack/incident-modal';

/** The choice in the picker modal, and the view it was made in. */
const pickSchema = z.object({
  view: z.object({ id: z.string().min(1), hash: z.string().min(1), callback_id: z.literal(PLAYBOOK_PICKER_CALLBACK) }),
  actions: z.array(z.object({ action_id: z.literal(PLAYBOOK_PICKER_ACTION), selected_option: z.object({ value: z.string().min(1) }) })).length(1),
});

/**
 * A playbook chosen in the `/secops incident` picker: the picker becomes that playbook's form.
 * Choosing authorizes nothing and starts nothing (the catalogue is no secret); the form's
 * submission is authorized and checked like any other (incident-submission.ts). The view's
 * hash makes a stale or repeated choice fail at Slack instead of replacing a newer form.
 */
export function registerIncidentPicker(app: App): void {
  app.action(PLAYBOOK_PICKER_ACTION, async ({ ack, body, client, logger }) => {
    await ack();
    const pick = pickSchema.safeParse(body);
    if (!pick.success) return logger.warn(`${PLAYBOOK_PICKER_ACTION}: unreadable choice`);
    const playbook = findPlaybook(pick.data.actions[0]!.selected_option.value);
    // Only listed values can be chosen; anything else was not sent by the picker.
    if (!playbook) return logger.warn(`${PLAYBOOK_PICKER_ACTION}: no such playbook`);
    await client.views.update({ view_id: pick.data.view.id, hash: pick.data.view.hash, view: incidentModal(playbook) });
  });
}
