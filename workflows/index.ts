export { preflight } from './preflight';
export { dastScan } from './dast-scan';
export { credentialRotation } from './credential-rotation';
export { scheduledRotation } from './scheduled-rotation';
export { importReport } from './import-report';
export { incidentResponse } from './incident-response';
