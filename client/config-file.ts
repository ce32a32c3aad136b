import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, type Config } from '../domain/config';
import type { Environment } from '../domain/environment';
import { ValidationError } from '../domain/validation-error';

/**
 * Reads and validates the config file; a missing file is a validation error too, naming the
 * file looked at: a relative path is resolved against the working directory.
 */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const where = resolve(path);
    const relative = where === path ? '' : ` ("${path}" resolved against the working directory; set SECOPS_CONFIG to choose another)`;
    throw new ValidationError(path, [{ path: '', message: `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)}): looked at ${where}${relative}` }]);
  }
  return parseConfig(text, path);
}

/** The config file named by the environment, with the environment's overrides applied. */
export function loadSettings(env: Environment): Config {
  const config = loadConfigFile(env.SECOPS_CONFIG);
  return env.SECOPS_ARTIFACTS_DIR ? { ...config, artifactsDir: env.SECOPS_ARTIFACTS_DIR } : config;
}
