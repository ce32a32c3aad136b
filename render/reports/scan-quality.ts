import { moduleNoun } from '../../domain/coverage';
import type { Engine } from '../../domain/finding';
import type { ScanQuality } from '../../domain/scan-report';

/** The modules or rules that started and did not run to their end. */
export function unfinishedModules(quality: ScanQuality): string[] {
  const finished = new Set(quality.modulesFinished);
  return quality.modulesRun.filter((module) => !finished.has(module));
}

/**
 * "Scan quality" as every front end shows it, label and value, unescaped: each renderer
 * escapes for its own medium. Scanner names are ours, but the source text is kept as data.
 */
export function scanQualityFacts(quality: ScanQuality, engine: Engine): [string, string][] {
  const unfinished = unfinishedModules(quality);
  const noun = moduleNoun(engine);
  return [
    ['Target answered', quality.targetAnswered ? 'yes' : 'no'],
    ['URLs crawled', String(quality.urlsCrawled)],
    ['Requests', `${quality.requestsSent} sent, ${quality.requestsFailed} failed`],
    [`${noun[0]!.toUpperCase()}${noun.slice(1)} finished`, `${quality.modulesFinished.length} of ${quality.modulesRun.length}${unfinished.length > 0 ? ` (not finished: ${unfinished.join(', ')})` : ''}`],
    ['Duration', `${quality.durationSeconds} s`],
    ['Source', quality.source],
  ];
}

/** The same on one line, for a terminal or a Slack context block. */
export function scanQualityLine(quality: ScanQuality, engine: Engine): string {
  const unfinished = unfinishedModules(quality);
  return [
    quality.targetAnswered ? 'target answered' : 'target did not answer',
    `${quality.urlsCrawled} URLs crawled`,
    `${quality.requestsSent} requests, ${quality.requestsFailed} failed`,
    `${quality.modulesFinished.length} of ${quality.modulesRun.length} ${moduleNoun(engine)} finished${unfinished.length > 0 ? ` (not: ${unfinished.join(', ')})` : ''}`,
    `${quality.durationSeconds} s`,
  ].join(' · ');
}
