import type { Engine } from '../../domain/finding';
import { wapitiOutcome } from './wapiti';
import { zapOutcome } from './zap';

/** `completed`: the engine wrote its report (findings or not); `error`: there is no report to trust. */
export interface ScanOutcome {
  outcome: 'completed' | 'error';
}

export function scanOutcome(engine: Engine, exitCode: number): ScanOutcome {
  return engine === 'zap' ? zapOutcome(exitCode) : wapitiOutcome(exitCode);
}
