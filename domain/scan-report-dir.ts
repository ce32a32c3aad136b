/** Where a scan's reports and artifacts go: one directory per target, one per scan, its id made file-safe. */
export function scanReportDir(artifactsDir: string, targetId: string, scanId: string): string {
  return `${artifactsDir}/${targetId}/${scanId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}
