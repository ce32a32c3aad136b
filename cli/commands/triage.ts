import type { Command } from 'commander';
import { authorizeTriage } from '../../client/authorize';
import { recordTriage } from '../../client/record-triage';
import { withStore } from '../../client/store';
import { storeUrl } from '../../client/store-url';
import { findingsByFingerprint } from '../../client/target-findings';
import type { TriageDecision } from '../../domain/triage';
import { acceptedUntil, reasonLengthProblem, ticketLink } from '../../domain/triage-input';
import { ValidationError, type InputProblem } from '../../domain/validation-error';
import { cliPrincipal, knownTarget, settings } from '../settings';

interface TriageOptions {
  acceptRisk?: boolean;
  falsePositive?: boolean;
  ticket?: string;
  until?: string;
  reason?: string;
}

type Triage = Pick<TriageDecision, 'kind' | 'reason' | 'ticketUrl' | 'expiresAt'>;

const COMMAND = 'secops findings triage';

/**
 * `secops findings triage <target> <fingerprint>`: the Slack summary's Accept risk, False
 * positive and Ticket link, with the same rules (domain/triage-input.ts), the same client
 * operation and the same audit record. Every problem is told at once and nothing is written.
 */
export function registerTriage(findings: Command): void {
  findings
    .command('triage <target> <fingerprint>')
    .description('decide about one finding: accept its risk until a date, mark it a false positive, or link its ticket')
    .option('--accept-risk', 'accept the risk until --until, saying why with --reason')
    .option('--false-positive', 'later scans suppress it; say why with --reason')
    .option('--ticket <url>', 'the http(s) link of the ticket that tracks it')
    .option('--until <date>', 'with --accept-risk: the last day (YYYY-MM-DD, UTC) the risk stays accepted')
    .option('--reason <reason>', 'why (required with --accept-risk and --false-positive)')
    .action(async (targetId: string, fingerprint: string, options: TriageOptions) => {
      const { env, config } = settings();
      const triage = triageOf(options, new Date());
      const target = knownTarget(config, targetId, COMMAND);
      await withStore(storeUrl(env), async (db) => {
        const matches = await findingsByFingerprint(db, target.id, fingerprint);
        if (matches.length !== 1) {
          const message = matches.length === 0 ? `no finding of target ${target.id} has it (see secops findings list --target ${target.id})` : `${matches.length} findings of target ${target.id} start with it: give more of it`;
          throw new ValidationError(COMMAND, [{ path: '<fingerprint>', message }]);
        }
        const decidedBy = cliPrincipal(env);
        await authorizeTriage({ config, db }, { who: decidedBy }, target, { kind: triage.kind, ...(triage.expiresAt && { expiresAt: triage.expiresAt }) }, `${target.id}/${matches[0]!.fingerprint}`);
        await recordTriage(db, { targetId: target.id, fingerprint: matches[0]!.fingerprint, ...triage, decidedBy });
        console.log(`${target.id}/${matches[0]!.fingerprint}: ${saying(triage)}, decided by ${decidedBy}`);
      });
    });
}

/** The decision the options ask for, or every problem with them. */
function triageOf(options: TriageOptions, now: Date): Triage {
  const kinds = [options.acceptRisk && '--accept-risk', options.falsePositive && '--false-positive', options.ticket !== undefined && '--ticket'].filter((kind): kind is string => Boolean(kind));
  const reason = options.reason?.trim() || undefined;
  if (kinds.length !== 1) {
    const message = kinds.length === 0 ? 'say what is decided: --accept-risk, --false-positive or --ticket URL' : `one decision at a time, not ${kinds.join(' and ')}`;
    throw new ValidationError(COMMAND, [{ path: 'decision', message }]);
  }
  const problems: InputProblem[] = [];
  const needReason = (why: string) => !reason && problems.push({ path: '--reason', message: `required: say why ${why}` });
  const tooLong = reasonLengthProblem(reason);
  if (tooLong) problems.push({ path: '--reason', message: tooLong });
  if (options.until !== undefined && !options.acceptRisk) problems.push({ path: '--until', message: 'only an accepted risk expires (--accept-risk)' });
  let triage: Triage | undefined;
  if (options.acceptRisk) {
    const until = acceptedUntil(options.until ?? '', now);
    if ('problem' in until) problems.push({ path: '--until', message: until.problem });
    needReason('this risk is acceptable');
    if ('expiresAt' in until && reason) triage = { kind: 'accepted-risk', reason, expiresAt: until.expiresAt };
  } else if (options.falsePositive) {
    needReason('this is a false positive');
    if (reason) triage = { kind: 'false-positive', reason };
  } else {
    const link = ticketLink(options.ticket ?? '');
    if ('problem' in link) problems.push({ path: '--ticket', message: link.problem });
    else triage = { kind: 'ticket', ticketUrl: link.url, ...(reason && { reason }) };
  }
  if (problems.length > 0 || !triage) throw new ValidationError(COMMAND, problems);
  return triage;
}

function saying(triage: Triage): string {
  if (triage.kind === 'accepted-risk') return `risk accepted until ${triage.expiresAt} (${triage.reason})`;
  if (triage.kind === 'false-positive') return `marked a false positive (${triage.reason}); later scans suppress it`;
  return `tracked in ${triage.ticketUrl}`;
}
