import type { WebClient } from '@slack/web-api';
import { findPlaybook, listPlaybooks } from '../../client/playbooks';
import { incidentModal, playbookListMessage, playbookPickerModal } from '../../render/slack/incident-modal';
import type { SlashCommand } from '../payloads';
import type { Reply } from './reply';

/**
 * `/secops incident <playbook>`: the form for that playbook's input, opened with the command's
 * trigger_id (authorized by the caller first). Without a playbook, a modal to choose one
 * (incident-picker.ts turns it into the form); with an unknown one, the list of playbooks.
 * Nothing starts here: the submission does, after checking the input.
 */
export async function incidentCommand(slack: WebClient, playbookId: string | undefined, command: SlashCommand): Promise<Reply | undefined> {
  const playbooks = listPlaybooks();
  if (playbookId === undefined) {
    await slack.views.open({ trigger_id: command.trigger_id, view: playbookPickerModal(playbooks) });
    return undefined;
  }
  const playbook = findPlaybook(playbookId);
  if (!playbook) return playbookListMessage(playbooks, `unknown playbook "${playbookId}"`);
  await slack.views.open({ trigger_id: command.trigger_id, view: incidentModal(playbook) });
  return undefined;
}
