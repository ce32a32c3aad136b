import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWapitiReportFile } from '../../activities/findings/wapiti-report';
import type { Finding } from '../../domain/finding';
import { projectPath } from '../../processes/tool-paths';

/** Wapiti's JSON report as far as tests change it: entries by category. */
export interface WapitiReportJson {
  vulnerabilities: Record<string, { method: string; path: string; info: string; level: number | string; parameter: string; http_request?: string }[]>;
  [section: string]: unknown;
}

/** The report Wapiti 3.0.4 wrote scanning the demo app (test/fixtures/wapiti/real-demo-app.json). */
export function realDemoReport(): WapitiReportJson {
  return JSON.parse(readFileSync(projectPath('test', 'fixtures', 'wapiti', 'real-demo-app.json'), 'utf8')) as WapitiReportJson;
}

/** A root-URL entry as Wapiti's passive modules write them (mod_http_headers, mod_cookieflags, mod_csp). */
export function rootEntry(info: string) {
  return { method: 'GET', path: '/', info, level: 1, parameter: '', http_request: 'GET / HTTP/1.1\nHost: 127.0.0.1:39553' };
}

/** Parses a report as the ingest activity does, through a file. */
export async function parseWapitiJson(report: WapitiReportJson): Promise<Finding[]> {
  const dir = mkdtempSync(join(tmpdir(), 'secops-wapiti-'));
  try {
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(report));
    return await parseWapitiReportFile(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
