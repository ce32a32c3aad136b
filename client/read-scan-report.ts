/** The front ends' door to a scan's report on disk: one reader, with its schema check, in store/. */
export { readScanReport } from '../store/scan-report-file';
