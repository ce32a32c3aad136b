import type { RuleAction } from './scan-report';
import { ValidationError, type InputProblem } from './validation-error';

const ACTIONS: readonly RuleAction[] = ['IGNORE', 'INFO', 'WARN', 'FAIL'];

/** A rule without a line in the rules file warns, as in ZAP's packaged scans. */
export const DEFAULT_RULE_ACTION: RuleAction = 'WARN';

export type ScanRules = ReadonlyMap<string, RuleAction>;

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
    if (!ACTIONS.includes(action as RuleAction)) return problems.push({ path: where, message: `unknown action "${action}" (use ${ACTIONS.join(', ')})` });
    if (rules.has(id)) return problems.push({ path: where, message: `rule ${id} is listed twice` });
    rules.set(id, action as RuleAction);
  });
  if (problems.length > 0) throw new ValidationError(source, problems);
  return rules;
}
