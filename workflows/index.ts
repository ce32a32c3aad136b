export { preflight } from './preflight';
export { dastScan } from './dast-scan';
