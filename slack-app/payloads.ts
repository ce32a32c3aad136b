import { z } from 'zod';
import { slackUserIdSchema as slackUserId } from '../domain/slack-ids';

/**
 * The parts of Slack's payloads the handlers use, parsed at the boundary. Bolt has
 * verified the signature; these check the shape, so a payload we do not understand
 * changes nothing. Objects stay open: Slack adds fields over time.
 */
export const slashCommandSchema = z.object({
  text: z.string().default(''),
  user_id: slackUserId,
  trigger_id: z.string().min(1),
});

export type SlashCommand = z.infer<typeof slashCommandSchema>;

/** A button click (`block_actions`); `channel` is absent when the button is in App Home. */
export const buttonClickSchema = z
  .object({
    user: z.object({ id: slackUserId }),
    trigger_id: z.string().min(1),
    channel: z.object({ id: z.string().min(1) }).optional(),
    container: z.object({ type: z.string() }).optional(),
    actions: z.array(z.object({ action_id: z.string(), value: z.string().min(1), action_ts: z.string().min(1) })).length(1),
  })
  .transform((body) => ({
    user: body.user.id,
    triggerId: body.trigger_id,
    channel: body.channel?.id,
    fromHome: body.container?.type === 'view',
    value: body.actions[0]!.value,
    actionTs: body.actions[0]!.action_ts,
  }));

export type ButtonClick = z.infer<typeof buttonClickSchema>;

const choice = z.object({ value: z.string() });
const inputValue = z.object({ value: z.string().nullish(), selected_date: z.string().nullish(), selected_option: choice.nullish(), selected_options: z.array(choice).nullish() });

/** A modal submission: who, the metadata we put in the modal, and each input by its name. */
export const viewSubmissionSchema = z
  .object({
    user: z.object({ id: slackUserId }),
    trigger_id: z.string().min(1),
    view: z.object({ private_metadata: z.string(), state: z.object({ values: z.record(z.string(), z.record(z.string(), inputValue)) }) }),
  })
  .transform((body) => ({
    user: body.user.id,
    triggerId: body.trigger_id,
    metadata: body.view.private_metadata,
    /** What was typed or picked in input `name` (block_id = action_id = name, see MODAL_INPUTS). */
    input: (name: string) => {
      const answer = body.view.state.values[name]?.[name];
      return (answer?.value ?? answer?.selected_date ?? answer?.selected_option?.value ?? '').trim();
    },
    /** Whether any box of checkboxes input `name` is ticked. */
    checked: (name: string) => (body.view.state.values[name]?.[name]?.selected_options?.length ?? 0) > 0,
  }));

export type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

export const appHomeOpenedSchema = z.object({ user: slackUserId, tab: z.string() });

/** A triage button's value (TriageRef) as JSON; anything else is refused. */
export const triageRefSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.strictObject({ t: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/), f: z.string().regex(/^[0-9a-f]{64}$/) }));

/**
 * A `reaction_added` event: who reacted with what, on what. Only a message has a channel and
 * a ts (files and file comments have neither), and a ts is Slack's `seconds.micros`.
 */
export const reactionAddedSchema = z.object({
  user: slackUserId,
  reaction: z.string(),
  item: z.object({ type: z.string(), channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/).optional(), ts: z.string().regex(/^\d{1,12}\.\d{6}$/).optional() }),
});
