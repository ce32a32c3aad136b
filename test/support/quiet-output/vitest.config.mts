import { defineConfig } from 'vitest/config';
import project from '../../../vitest.config.mjs';

// The project's own output settings (quiet-runtime.ts, silent: 'passed-only', the log reporter)
// on the fixture alone, without the Temporal dev server the suite's global setup starts.
export default defineConfig({ ...project, test: { ...project.test, include: ['test/support/quiet-output/*.fixture.ts'], globalSetup: [] } });
