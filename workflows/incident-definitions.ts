import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Alert } from '../domain/alert';
import type { ActName, SignedAct } from '../domain/incident-act';
import type { IncidentView, TimelineEvent } from '../domain/incident';

/** The incident as it stands: the CLI's `incident show`, the Slack status message, App Home. */
export const incidentQuery = defineQuery<IncidentView>('incident');
export const timelineQuery = defineQuery<TimelineEvent[]>('timeline');

/** Alerts the intake routed here (http/, authenticated there): a group that fires again, or resolves. */
export interface AlertDelivery {
  alerts: Alert[];
  /** The sender's idempotency key (Standard Webhooks `webhook-id`), when it has one. */
  deliveryId?: string;
  receivedAt: string;
}
export const alertSignal = defineSignal<[AlertDelivery]>('alert');

/**
 * One Update per act (domain/incident-act.ts), each taking the act signed by the front end
 * that authenticated the person; its validator verifies and authorizes it before history.
 */
export const ACT_UPDATES: { [A in ActName]: UpdateDefinition<IncidentView, [SignedAct<A>], A> } = {
  addTimelineEvent: defineUpdate('addTimelineEvent'),
  assignRole: defineUpdate('assignRole'),
  setSeverity: defineUpdate('setSeverity'),
  setStatus: defineUpdate('setStatus'),
  setMilestone: defineUpdate('setMilestone'),
  acknowledge: defineUpdate('acknowledge'),
  snoozeReminder: defineUpdate('snoozeReminder'),
  completeTask: defineUpdate('completeTask'),
  resolve: defineUpdate('resolve'),
};
