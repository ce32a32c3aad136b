import tseslint from 'typescript-eslint';

// The "may import (of ours)" column of ARCHITECTURE.md's layout table: the top-level folders each
// folder's code may import besides its own. Folders without a row (test/, bench/, demo/, scripts/)
// may import anything.
const MAY_IMPORT = {
  domain: [],
  // plus the types of activities/, below: workflows call activities through proxyActivities<Activities>
  workflows: ['domain'],
  activities: ['domain', 'render', 'store', 'secrets', 'codec'],
  render: ['domain'],
  store: ['domain'],
  secrets: ['domain'],
  codec: ['domain'],
  processes: ['domain'],
  scanners: ['domain'],
  client: ['domain', 'workflows', 'store', 'render', 'codec'],
  // `secops dev` and `secops demo` start the local stack: processes such as the Temporal dev
  // server and the workers, the Wapiti image, the demo app.
  cli: ['client', 'render', 'domain', 'processes', 'scanners', 'demo'],
  'slack-app': ['client', 'render', 'domain'],
  http: ['client', 'render', 'domain'],
  worker: ['domain', 'workflows', 'activities', 'render', 'store', 'secrets', 'codec', 'client', 'processes'],
};

// Workflow code runs in Temporal's deterministic sandbox: no Node APIs, no I/O.
const SANDBOX_FORBIDDEN = {
  paths: ['fs', 'path', 'child_process', 'dockerode', 'pg'],
  patterns: [{ group: ['node:*'] }],
};

// domain/ is pure: it may hash (node:crypto) but touches no file, process, socket or database.
const DOMAIN_FORBIDDEN = {
  paths: ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'dockerode', 'pg', '@temporalio/client', '@slack/bolt'],
  patterns: [{ group: ['node:*', '!node:crypto'] }],
};

// A relative specifier means a folder only together with the depth of the importing file, so the
// rules are written per depth: from `cli/x.ts` `../client/y` enters client/, from
// `activities/slack/x.ts` `../secrets/y` stays in activities/. Deeper files than this get no rule.
const MAX_DEPTH = 6;

function layoutPatterns(folder, depth) {
  const up = '\\.\\./'.repeat(depth);
  const typeOnly = folder === 'workflows' ? ['activities'] : [];
  const allowed = [folder, ...MAY_IMPORT[folder], ...typeOnly].map((entry) => `${entry}(?:/|$)`).join('|');
  const named = MAY_IMPORT[folder].map((entry) => `${entry}/`).join(', ') || 'nothing';
  const patterns = [
    {
      regex: `^${up}(?!${allowed})`,
      caseSensitive: true,
      message: `${folder}/ may import only ${named} of ours (ARCHITECTURE.md, "may import").`,
    },
  ];
  for (const entry of typeOnly) {
    patterns.push({
      regex: `^${up}${entry}(?:/|$)`,
      caseSensitive: true,
      allowTypeImports: true,
      message: `${folder}/ may import only the types of ${entry}/ (\`import type\`).`,
    });
  }
  return patterns;
}

function layoutConfigs(folder) {
  const extra = { workflows: SANDBOX_FORBIDDEN, domain: DOMAIN_FORBIDDEN }[folder] ?? { paths: [], patterns: [] };
  return Array.from({ length: MAX_DEPTH }, (_, index) => ({
    files: [`${folder}/${'*/'.repeat(index)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: extra.paths, patterns: [...layoutPatterns(folder, index + 1), ...extra.patterns] },
      ],
    },
  }));
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.secops/', 'bench/results/', 'test/histories/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...Object.keys(MAY_IMPORT).flatMap(layoutConfigs),
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'setInterval', 'process'],
    },
  },
);
