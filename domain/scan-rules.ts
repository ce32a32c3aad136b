import { severityRank, type Finding, type Severity } from './finding';
import { RULE_ACTIONS, type RuleAction } from './scan-report';
import { ValidationError, type InputProblem } from './validation-error';

export type ScanRules = ReadonlyMap<string, RuleAction>;

/** A target's `failOn` when its config names none: a high or critical finding stops a pipeline. */
export const DEFAULT_FAIL_ON: Severity = 'high';

/**
 * What one finding does to the verdict. The rules file decides for the rules it lists, as in
 * ZAP's packaged scans; for the rest, severity decides: FAIL at or above the target's
 * `failOn`, WARN below it (ZAP's own default for every unlisted rule is WARN, which let a
 * critical SQL injection through a gate).
 */
export function ruleAction(rules: ScanRules, finding: Pick<Finding, 'ruleId' | 'severity'>, failOn: Severity): RuleAction {
  return rules.get(finding.ruleId) ?? (severityRank(finding.severity) >= severityRank(failOn) ? 'FAIL' : 'WARN');
}

/**
 * ZAP's rules-file format, used for every engine: `id<TAB>IGNORE|INFO|WARN|FAIL<TAB>name`
 * per line; `#` comments and blank lines are skipped. Every bad line is reported.
 */
export function parseScanRules(text: string, source: string): ScanRules {
  const rules = new Map<string, RuleAction>();
  const problems: InputProblem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const [id, action] = line.split('\t').map((field) => field.trim());
    const where = `line ${index + 1}`;
    if (!id || action === undefined) return problems.push({ path: where, message: 'expected id<TAB>IGNORE|INFO|WARN|FAIL<TAB>name' });
    if (!RULE_ACTIONS.includes(action as RuleAction)) return problems.push({ path: where, message: `unknown action "${action}" (use ${RULE_ACTIONS.join(', ')})` });
    if (rules.has(id)) return problems.push({ path: where, message: `rule ${id} is listed twice` });
    rules.set(id, action as RuleAction);
  });
  if (problems.length > 0) throw new ValidationError(source, problems);
  return rules;
}
