import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { listAuditTrail, verifyAuditTrail } from '../../client/audit-trail';
import { withStore } from '../../client/store';
import { storeUrl } from '../../client/store-url';
import { renderTable } from '../../render/terminal/table';
import { CLI_EXIT_CODES } from '../exit-codes';
import { settings } from '../settings';

/** `secops audit verify | list`: the tamper-evident trail of every vote, refusal and decision. */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit trail: verify its hash chain and ballot signatures, or list it');
  audit
    .command('verify')
    .description('walk every stream of the audit chain, re-verify each accepted ballot signature, and name the first broken link')
    .option('--expect-head <stream=hash>', 'a head hash noted earlier (e.g. approval=3f2a…): the chain must still pass through it; repeatable', collectHead, new Map<string, string>())
    .action(async (options: { expectHead: Map<string, string> }) => {
      const { env, config } = settings();
      await withStore(storeUrl(env), async (db) => {
        const result = await verifyAuditTrail(db, config, options.expectHead);
        for (const stream of result.streams) console.log(`${stream.stream}: ${stream.rows} rows, head ${stream.head}`);
        if (result.unchained > 0) console.log(`${result.unchained} rows were written before the chain existed; nothing vouches for them`);
        if (result.broken) {
          console.error(`error: audit chain broken at row ${result.broken.id} (stream ${result.broken.stream}): ${result.broken.problem}`);
          process.exitCode = CLI_EXIT_CODES.failed;
          return;
        }
        console.log('audit chain verified');
      });
    });
  audit
    .command('list')
    .description('audit rows, oldest first, filtered by subject, actor, action and time')
    .option('--subject <subject>', 'e.g. an approval id or <target>/<fingerprint>')
    .option('--actor <principal>', 'e.g. slack:U0123 or cli:alice')
    .option('--action <action>', 'e.g. approval.approve')
    .option('--since <time>', 'ISO 8601 time', isoTime)
    .option('--until <time>', 'ISO 8601 time', isoTime)
    .option('--limit <n>', 'at most this many rows (default 100)', positiveInt, 100)
    .action(async (options: { subject?: string; actor?: string; action?: string; since?: Date; until?: Date; limit: number }) => {
      const { env } = settings();
      await withStore(storeUrl(env), async (db) => {
        const rows = await listAuditTrail(db, options);
        if (rows.length === 0) return console.log('no audit rows match');
        console.log(renderTable(
          ['id', 'time', 'actor', 'action', 'subject', 'outcome', 'signed by'],
          rows.map((r) => [r.id, r.occurredAt.toISOString(), r.actor, r.action, r.subject, r.outcome, r.keyId ?? '']),
        ));
      });
    });
}

function collectHead(value: string, heads: Map<string, string>): Map<string, string> {
  const match = /^([a-z][a-z0-9-]*)=([0-9a-f]{64})$/.exec(value);
  if (!match) throw new InvalidArgumentError(`"${value}" must be <stream>=<64 hex digits>`);
  return new Map(heads).set(match[1]!, match[2]!);
}

function isoTime(value: string): Date {
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) throw new InvalidArgumentError('must be an ISO 8601 time, e.g. 2026-11-30T09:00:00Z');
  return at;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError('must be a whole number from 1 to 100000');
  return n;
}
