import type { Environment } from './environment';

/** A run's page in the Temporal UI, when TEMPORAL_UI_URL says where the UI is. */
export function runUrl(env: Pick<Environment, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string): string | undefined {
  if (!env.TEMPORAL_UI_URL) return undefined;
  return `${env.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}
