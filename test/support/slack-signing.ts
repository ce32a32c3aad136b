import { createHmac } from 'node:crypto';

/** Headers exactly as Slack signs a request: `v0=` HMAC-SHA256 of `v0:timestamp:body`. */
export function slackSignatureHeaders(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}
