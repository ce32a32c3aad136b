import { readFileSync } from 'node:fs';
import { parseConfig, type Config } from './config';
import { ValidationError } from './validation-error';

/** Reads and validates the config file; a missing file is a validation error too. */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(path, [{ path: '', message: `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseConfig(text, path);
}
