import { z } from 'zod';

/** A Slack user id: `U…`, or `W…` for Enterprise Grid users. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

export const slackUserIdSchema = z.string().regex(SLACK_USER_ID, 'must be a Slack user id (U…)');

/** A Slack user group id: `S…`. */
export const SLACK_GROUP_ID = /^S[A-Z0-9]{2,}$/;

export const slackGroupIdSchema = z.string().regex(SLACK_GROUP_ID, 'must be a Slack user group id (S…)');
