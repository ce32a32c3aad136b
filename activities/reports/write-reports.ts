import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ScanReport } from '../../domain/scan-report';
import { renderHtml } from '../../render/reports/html';
import { renderJson } from '../../render/reports/json';
import { renderMarkdown } from '../../render/reports/markdown';
import { renderSarif, type SarifOptions } from '../../render/reports/sarif';

export interface ReportPaths {
  json: string;
  sarif: string;
  markdown: string;
  html: string;
}

/**
 * Writes the four renderings of a scan into the artifact directory. Workflows get the
 * absolute paths back, never the contents, to keep history small. Rewriting the same
 * report gives the same bytes, so a retried activity is harmless.
 */
export async function writeReports(report: ScanReport, dir: string, sarifOptions: SarifOptions = {}): Promise<ReportPaths> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const paths: ReportPaths = {
    json: join(root, 'report.json'),
    sarif: join(root, 'report.sarif'),
    markdown: join(root, 'report.md'),
    html: join(root, 'report.html'),
  };
  await Promise.all([
    writeFile(paths.json, renderJson(report)),
    writeFile(paths.sarif, renderSarif(report, sarifOptions)),
    writeFile(paths.markdown, renderMarkdown(report)),
    writeFile(paths.html, renderHtml(report)),
  ]);
  return paths;
}
