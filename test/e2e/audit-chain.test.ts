import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { rotationWorkflowId } from '../../domain/action-kinds';
import { gatePolicyOf } from '../../domain/approval-rules';
import { parseConfig, type Config } from '../../domain/config';
import { credentialRotationInput } from '../../domain/rotation';
import { waitUntil } from '../../processes/wait-until';
import { FileSecretStore } from '../../secrets/file-secret-store';
import { auditRowHash } from '../../domain/audit-chain';
import { chainedAuditRows, listAuditEvents } from '../../store/audit-events';
import { migrate } from '../../store/migrations';
import { decideUpdate, pendingApprovalsQuery } from '../../workflows/approval';
import { credentialRotation } from '../../workflows/credential-rotation';
import { freshDatabase, type FreshDatabase } from '../support/database';
import { faultyProviders } from '../support/rotation-faults';
import { runEntry } from '../support/run-cli';
import { signedBallot, testCliUser } from '../support/test-ballots';
import { startWorkers } from '../support/workers';

/**
 * The audit trail cannot lose or change a row unnoticed. Two rotations of one credential run
 * under one workflow id (`rotate:<credential>`): the approval ids carry the run id, so both
 * rotations' votes are kept (they used to collide and the second run's were dropped). Then
 * `secops audit verify` walks the hash chain and re-verifies each ballot signature; after a
 * row is edited directly (the table owner disables the append-only trigger, as an attacker
 * holding the app's database role could), it names that row.
 */
describe('audit chain: two rotations with approvals, then tampering', () => {
  let fresh: FreshDatabase;
  let config: Config;
  let configPath: string;
  const suffix = randomBytes(3).toString('hex');
  const role = `audit_rot_${suffix}`;
  const credentialId = `audit-db-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'secops-audit-'));
  const storeKey = { key: randomBytes(32), keyId: 'test' };

  beforeAll(async () => {
    fresh = await freshDatabase();
    await migrate(fresh.db);
    await fresh.db.query(`CREATE ROLE ${role} LOGIN`);
    const yaml = JSON.stringify({
      version: 1,
      credentials: [{ id: credentialId, target: { provider: 'postgres-role', adminUrlEnv: 'UNUSED_IN_TESTS', strategy: 'single-user', role }, secretStore: { provider: 'file', file: join(dir, 'store.json'), path: 'db/audit' }, gracePeriod: '1s' }],
      approvals: { 'rotation.promote': { approvers: { cliUsers: [testCliUser('bob'), testCliUser('carol')] }, timeout: '1h' } },
    });
    configPath = join(dir, 'secops.config.yaml');
    writeFileSync(configPath, yaml);
    config = parseConfig(yaml);
  });
  afterAll(async () => {
    await fresh?.db.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await fresh?.drop();
  });

  const audit = (...args: string[]) => runEntry(['secops', 'audit', ...args], { SECOPS_CONFIG: configPath, DATABASE_URL: fresh.url, TEMPORAL_ADDRESS: '127.0.0.1:1' });

  it('keeps every approval row of both rotations; verify passes, then names the row edited behind its back', { timeout: 180_000 }, async () => {
    const providers = faultyProviders({ store: new FileSecretStore({ file: join(dir, 'store.json'), key: storeKey }), adminUrl: fresh.url, fault: () => undefined });
    const workers = await startWorkers(createActivities({ docker: new Docker(), store: { db: fresh.db, url: fresh.url }, slack: undefined, credentials: providers }), ['control']);
    const approvalIds = await workers.during(async () => {
      const ids: string[] = [];
      for (const voter of ['bob', 'carol'] as const) {
        const input = { ...credentialRotationInput({ ...config, taskQueues: workers.taskQueues }, config.credentials[0]!, 'cli:alice'), taskQueue: workers.taskQueues.control };
        const handle = await workers.client.workflow.start(credentialRotation, { taskQueue: workers.taskQueues.control, workflowId: rotationWorkflowId(credentialId), args: [input] });
        let approvalId = '';
        await waitUntil('the promotion approval', async () => Boolean((approvalId = (await handle.query(pendingApprovalsQuery))[0]?.approvalId ?? '')), 60_000);
        await handle.executeUpdate(decideUpdate, { args: [signedBallot({ approvalId, voter: `cli:${voter}`, vote: 'approve', reason: `rotation by ${voter}` })] });
        await handle.result();
        ids.push(approvalId);
      }
      return ids;
    });
    expect(gatePolicyOf(config, 'rotation.promote')).toBeDefined();

    // One workflow id, two runs, two distinct approvals: neither run's rows displaced the other's.
    expect(new Set(approvalIds).size).toBe(2);
    for (const [i, approvalId] of approvalIds.entries()) {
      expect((await listAuditEvents(fresh.db, { subject: approvalId })).map((e) => [e.actor, e.action, e.outcome])).toEqual([
        ['system', 'approval.requested', 'succeeded'], [`cli:${['bob', 'carol'][i]}`, 'approval.approve', 'allowed'], ['system', 'approval.decided', 'succeeded'],
      ]);
    }
    const vote = (await listAuditEvents(fresh.db, { subject: approvalIds[1], action: 'approval.approve' }))[0]!;
    expect(vote).toMatchObject({ keyId: expect.stringMatching(/^SHA256:/), signature: expect.stringMatching(/==$/), details: { ballot: { voter: 'cli:carol', vote: 'approve', reason: 'rotation by carol' } } });

    const verified = await audit('verify');
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^approval: 6 rows, head [0-9a-f]{64}\n/);
    expect(verified.stdout).toContain('audit chain verified\n');
    const head = /approval: 6 rows, head ([0-9a-f]{64})/.exec(verified.stdout)![1]!;

    const listed = await audit('list', '--subject', approvalIds[1]!, '--actor', 'cli:carol');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(vote.keyId);
    expect(listed.stdout.trim().split('\n')).toHaveLength(3); // header, rule, one row

    // Someone holding the table owner's role turns the append-only trigger off behind our back.
    const sql = async (statement: string, values: unknown[] = []) => {
      await fresh.db.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change');
      await fresh.db.query(statement, values);
      await fresh.db.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change');
    };

    // Cutting off the newest row leaves a chain that is whole from its start: only a head noted earlier shows the loss.
    const newest = (await fresh.db.query<{ id: string }>(`SELECT id FROM audit_events WHERE stream = 'approval' ORDER BY id DESC LIMIT 1`)).rows[0]!.id;
    await sql('DELETE FROM audit_events WHERE id = $1', [newest]);
    expect((await audit('verify')).code).toBe(0);
    const truncated = await audit('verify', '--expect-head', `approval=${head}`);
    expect(truncated).toMatchObject({ code: 1, stderr: `error: audit chain broken at row head (stream approval): the chain no longer passes through the head ${head} noted earlier (the trail was rewritten)\n` });

    // Bob's vote gets another reason: its row no longer matches its hash, and verify names it.
    const bobVote = (await listAuditEvents(fresh.db, { subject: approvalIds[0], action: 'approval.approve' }))[0]!;
    await sql(`UPDATE audit_events SET details = jsonb_set(details, '{reason}', '"changed later"') WHERE id = $1`, [bobVote.id]);
    const tampered = await audit('verify');
    expect(tampered).toMatchObject({ code: 1, stderr: `error: audit chain broken at row ${bobVote.id} (stream approval): its content does not match its hash (the row was edited)\n` });

    await sql(`UPDATE audit_events SET details = jsonb_set(details, '{reason}', to_jsonb($2::text)) WHERE id = $1`, [bobVote.id, 'rotation by bob']);
    expect((await audit('verify')).code).toBe(0);

    // A thorough forger rewrites Carol's approval into a rejection and rehashes the chain from there on:
    // every link holds again, but the ballot's signature cannot be rewritten without Carol's key.
    const rows = [];
    for await (const row of chainedAuditRows(fresh.db, 'approval')) rows.push(row);
    const from = rows.findIndex((row) => row.id === vote.id);
    let previous = rows[from - 1]!.hash;
    for (const row of rows.slice(from)) {
      const forged = row.id === vote.id
        ? { ...row, action: 'approval.reject', details: { ...(row.details as object), ballot: { ...(row.details as { ballot: object }).ballot, vote: 'reject' } } }
        : row;
      const hash = auditRowHash({ ...forged, prevHash: previous });
      await sql('UPDATE audit_events SET action = $2, details = $3, prev_hash = $4, hash = $5 WHERE id = $1', [row.id, forged.action, JSON.stringify(forged.details), previous, hash]);
      previous = hash;
    }
    const forgedVerify = await audit('verify');
    expect(forgedVerify).toMatchObject({ code: 1, stderr: `error: audit chain broken at row ${vote.id} (stream approval): its ballot signature does not verify\n` });
  });
});
