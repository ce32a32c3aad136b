import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { approvalPolicySchema } from '../../domain/approval';
import { failureMessage } from '../../domain/failure-message';
import { SCAN_PROFILES, SCAN_PROFILE_CHOICES, activeScanPolicyProblem, isActiveProfile, isScanProfile } from '../../domain/scan-profiles';
import { SLACK_USER_ID } from '../../domain/slack-ids';
import { principal } from '../../render/slack/mrkdwn';
import { testCliUser } from '../support/test-ballots';

/** Meanings written once in domain/ and read by workflows, activities and every front end. */
describe('failureMessage', () => {
  const refused = ApplicationFailure.nonRetryable('Slack refused the DAST summary of shop in #locked: not_in_channel', 'SlackRefused');
  const activityFailed = new ActivityFailure('Activity task failed', 'notifyScan', '7', RetryState.NON_RETRYABLE_FAILURE, 'worker@host', refused);

  it('skips the wrapper that only says an activity or a workflow failed', () => {
    expect(failureMessage(activityFailed)).toBe(refused.message);
    const workflowFailed = new WorkflowFailedError('Workflow execution failed', ApplicationFailure.nonRetryable('active scan of shop not approved: freeze'), RetryState.NON_RETRYABLE_FAILURE);
    expect(failureMessage(workflowFailed)).toBe('active scan of shop not approved: freeze');
  });

  it('unwraps one level only, and takes what is not an Error as it is', () => {
    expect(failureMessage(new Error('no cause'))).toBe('no cause');
    expect(failureMessage(new WorkflowFailedError('Workflow execution failed', activityFailed, RetryState.NON_RETRYABLE_FAILURE))).toBe('Activity task failed');
    expect(failureMessage('plain text')).toBe('plain text');
  });
});

describe('scan profiles', () => {
  it('lists the profiles once, for the config, the CLI and the Slack command', () => {
    expect(SCAN_PROFILES).toEqual(['baseline', 'full', 'api']);
    expect(SCAN_PROFILE_CHOICES).toBe('baseline, full or api');
    expect(['baseline', 'full', 'api', 'turbo', 'Full'].map(isScanProfile)).toEqual([true, true, true, false, false]);
  });

  it('calls every profile but baseline active: those need an approval policy before anything starts', () => {
    expect(SCAN_PROFILES.filter(isActiveProfile)).toEqual(['full', 'api']);
    const policy = { approvers: { cliUsers: [testCliUser('bob')] } };
    expect(activeScanPolicyProblem('full', {})).toBe('the full profile scans actively and needs an approvals."dast.active-scan" policy');
    expect(activeScanPolicyProblem('api', { 'rotation.promote': policy })).toMatch(/^the api profile scans actively/);
    expect(activeScanPolicyProblem('full', { 'dast.active-scan': policy })).toBeUndefined();
    expect(activeScanPolicyProblem('baseline', {})).toBeUndefined();
  });
});

describe('Slack user ids', () => {
  it('are U… or W… ids, in policies and in mentions alike', () => {
    expect(['U0123ABCD', 'W0123ABCD', 'UAB', 'U1', 'u0123abcd', 'S0123ABCD', 'C0123ABCD', '<@U0123>'].map((id) => SLACK_USER_ID.test(id))).toEqual([true, true, true, false, false, false, false, false]);
    expect(approvalPolicySchema.safeParse({ approvers: { users: ['W0123ABCD'] } }).success).toBe(true);
    expect(approvalPolicySchema.safeParse({ approvers: { users: ['S0123ABCD'] } }).success).toBe(false);
    expect(principal('slack:W0123ABCD')).toBe('<@W0123ABCD>');
    expect(principal('slack:not-an-id')).toBe('not-an-id');
  });
});
