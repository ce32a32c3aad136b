import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes, so people can find runs in the Temporal UI / CLI, e.g.
 * `SecopsTarget = "shop" AND SecopsVerdict = "fail"`. The dev server registers them at
 * start (`--search-attribute`); on a cluster create them once with
 * `temporal operator search-attribute create`.
 */
export const SEARCH_ATTRIBUTES = {
  target: defineSearchAttributeKey('SecopsTarget', 'KEYWORD'),
  verdict: defineSearchAttributeKey('SecopsVerdict', 'KEYWORD'),
  /** True while a run waits on an approval: how `secops approvals list` finds them. */
  approvalPending: defineSearchAttributeKey('SecopsApprovalPending', 'BOOL'),
} as const;

/** `--search-attribute Name=Type` flags for `temporal server start-dev`. */
export const DEV_SERVER_SEARCH_ATTRIBUTE_FLAGS = Object.values(SEARCH_ATTRIBUTES).flatMap((key) => ['--search-attribute', `${key.name}=${key.type === 'BOOL' ? 'Bool' : 'Keyword'}`]);
