import type { Engine, Finding } from '../../domain/finding';
import { splitWeakness } from '../../domain/weakness-split';
import { parseWapitiReportFile } from './wapiti-report';
import { mergeZapFinding, streamZapReportFile } from './zap-report';

/**
 * A report's findings, one weakness each (weakness-split.ts), handed to `onFinding` as the
 * file is read, with `afterChunk` awaited in between (readReportStream). A ZAP report is
 * streamed, since ZAP lists every instance and CI reports reach millions; a Wapiti report is
 * small (one entry per vulnerable parameter) and its findings are only known once its
 * `infos` and every section are read, so it is parsed whole and handed over after.
 * A fingerprint can come twice: `mergeFindingPart` puts the parts together.
 */
export async function streamReportFindings(engine: Engine, path: string, maxBytes: number, onFinding: (finding: Finding) => void, afterChunk: () => Promise<void>): Promise<void> {
  const split = (finding: Finding): void => {
    for (const weakness of splitWeakness(finding)) onFinding(weakness);
  };
  if (engine === 'zap') return streamZapReportFile(path, maxBytes, split, afterChunk);
  for (const finding of await parseWapitiReportFile(path, maxBytes)) {
    split(finding);
    await afterChunk();
  }
}

/** Adds a later part of a finding to it: the more severe part's words, every instance. */
export const mergeFindingPart: (finding: Finding, part: Finding) => void = mergeZapFinding;
