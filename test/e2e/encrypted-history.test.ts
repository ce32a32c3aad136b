import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { dataConverterFromEnv } from '../../codec/data-converter';
import { parseEnvironment } from '../../domain/environment';
import type { EchoActivities } from './fixtures/echo-workflow';

const secret = `AKIA-${randomBytes(12).toString('hex')}`;
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('payload encryption on a real dev server', () => {
  it('keeps a secret argument out of history while the client reads it back', { timeout: 120_000 }, async () => {
    // The same parse as every process: the data converter comes from the environment.
    const dataConverter = dataConverterFromEnv(parseEnvironment({ SECOPS_CODEC_KEYS: `test-1:${randomBytes(32).toString('base64')}` }));
    const taskQueue = `test-codec-${randomUUID().slice(0, 8)}`;
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), dataConverter });
    const activities: EchoActivities = { echoActivity: async (value) => value };
    const worker = await Worker.create({
      connection,
      taskQueue,
      dataConverter,
      activities,
      workflowsPath: path.join(__dirname, 'fixtures', 'echo-workflow.ts'),
    });
    try {
      const handle = await worker.runUntil(async () => {
        const started = await client.workflow.start('echo', { args: [secret], taskQueue, workflowId: `codec-${taskQueue}` });
        expect(await started.result()).toBe(secret);
        return started;
      });

      const history = await handle.fetchHistory();
      expect(Buffer.from(temporal.api.history.v1.History.encode(history).finish()).includes(secret)).toBe(false);
      const events = history.events ?? [];
      const payloads: Payload[] = [
        ...(events.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
        ...(events.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
        ...(events.find((e) => e.activityTaskCompletedEventAttributes)?.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
        ...(events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []),
      ];
      expect(payloads).toHaveLength(4);
      for (const payload of payloads) {
        expect(text(payload.metadata?.encoding)).toBe('binary/encrypted');
        expect(text(payload.metadata?.['encryption-key-id'])).toBe('test-1');
      }
    } finally {
      await client.connection.close();
      await connection.close();
    }
  });
});
