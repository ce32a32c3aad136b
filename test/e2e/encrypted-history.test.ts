import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { createCodecServer } from '../../codec/codec-server';
import { dataConverterFromEnv } from '../../codec/data-converter';
import { EncryptionCodec } from '../../codec/payload-codec';
import { parseEnvironment } from '../../domain/environment';
import type { EchoActivities } from './fixtures/echo-workflow';
import type { FailingActivities } from './fixtures/failing-workflow';

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

  it('keeps failure messages and stack traces out of history; the client and the codec server read them back', { timeout: 120_000 }, async () => {
    const env = parseEnvironment({ SECOPS_CODEC_KEYS: `test-1:${randomBytes(32).toString('base64')}` });
    const dataConverter = dataConverterFromEnv(env);
    const detail = `role-${randomBytes(8).toString('hex')}`;
    const taskQueue = `test-codec-failure-${randomUUID().slice(0, 8)}`;
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), dataConverter });
    const activities: FailingActivities = {
      failingActivity: async (value) => {
        throw ApplicationFailure.nonRetryable(`activity refused: ${value}`, 'Refused');
      },
    };
    const worker = await Worker.create({ connection, taskQueue, dataConverter, activities, workflowsPath: path.join(__dirname, 'fixtures', 'failing-workflow.ts') });
    const token = randomBytes(32).toString('hex');
    const codecServer = createCodecServer({ codec: new EncryptionCodec(env.SECOPS_CODEC_KEYS!), token, allowedOrigins: [] });
    await new Promise<void>((resolve) => codecServer.listen(0, '127.0.0.1', resolve));
    try {
      const { error, history } = await worker.runUntil(async () => {
        const handle = await client.workflow.start('failing', { args: [detail], taskQueue, workflowId: `codec-failure-${taskQueue}` });
        return { error: await handle.result().catch((e: unknown) => e), history: await handle.fetchHistory() };
      });

      // The client decodes with the same converter: every message is back, the activity's under the workflow's.
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.message).toBe(`workflow gave up after: ${detail}`);
      expect(cause.stack).toContain('failing-workflow');

      expect(Buffer.from(temporal.api.history.v1.History.encode(history).finish()).includes(detail)).toBe(false);
      const events = history.events ?? [];
      const failures = [
        events.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes?.failure,
        events.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure,
      ];
      const decoded: unknown[] = [];
      for (const failure of failures) {
        expect(failure?.message).toBe('Encoded failure');
        expect(failure?.stackTrace).toBe('');
        const attributes = failure!.encodedAttributes!;
        expect(text(attributes.metadata?.encoding)).toBe('binary/encrypted');
        expect(text(attributes.metadata?.['encryption-key-id'])).toBe('test-1');
        // What the Temporal UI and `temporal workflow show --codec-endpoint` send the codec server.
        const response = await fetch(`http://127.0.0.1:${(codecServer.address() as AddressInfo).port}/default/decode`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ payloads: [{ metadata: { encoding: Buffer.from(attributes.metadata!.encoding!).toString('base64'), 'encryption-key-id': Buffer.from(attributes.metadata!['encryption-key-id']!).toString('base64') }, data: Buffer.from(attributes.data!).toString('base64') }] }),
        });
        expect(response.status).toBe(200);
        const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
        expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
        decoded.push(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString('utf8')));
      }
      expect(decoded).toEqual([
        { message: `activity refused: ${detail}`, stack_trace: expect.stringContaining('encrypted-history.test.ts') },
        { message: `workflow gave up after: ${detail}`, stack_trace: expect.stringContaining('failing-workflow') },
      ]);
      // The activity's failure, carried as the workflow failure's cause, is encoded there too.
      expect(failures[1]?.cause?.message).toBe('Encoded failure');
      expect(failures[1]?.cause?.cause?.message).toBe('Encoded failure');
      expect(cause.cause).toBeInstanceOf(ActivityFailure);
      expect((cause.cause?.cause as Error | undefined)?.message).toBe(`activity refused: ${detail}`);
    } finally {
      await new Promise<void>((resolve) => codecServer.close(() => resolve()));
      await client.connection.close();
      await connection.close();
    }
  });
});
