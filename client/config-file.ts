import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_CONFIG_BYTES, configTooLarge, parseConfig, type Config } from '../domain/config';
import type { Environment } from '../domain/environment';
import { ValidationError } from '../domain/validation-error';

/**
 * Reads and validates the config file; a missing file is a validation error too, naming the
 * file looked at: a relative path is resolved against the working directory. A file over
 * MAX_CONFIG_BYTES is refused from its size, before it is read.
 */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readBounded(path);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const where = resolve(path);
    const relative = where === path ? '' : ` ("${path}" resolved against the working directory; set SECOPS_CONFIG to choose another)`;
    throw new ValidationError(path, [{ path: '', message: `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)}): looked at ${where}${relative}` }]);
  }
  return parseConfig(text, path);
}

/**
 * The file's text, at most MAX_CONFIG_BYTES of it. The size is checked twice: from stat, to
 * name it; and while reading, for what stat cannot size (a pipe, `<(…)`, a device).
 */
function readBounded(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > MAX_CONFIG_BYTES) throw new ValidationError(path, [{ path: '', message: configTooLarge(size) }]);
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_CONFIG_BYTES) throw new ValidationError(path, [{ path: '', message: configTooLarge() }]);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** The config file named by the environment, with the environment's overrides applied. */
export function loadSettings(env: Environment): Config {
  const config = loadConfigFile(env.SECOPS_CONFIG);
  return env.SECOPS_ARTIFACTS_DIR ? { ...config, artifactsDir: env.SECOPS_ARTIFACTS_DIR } : config;
}
