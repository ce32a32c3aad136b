import { redactUrl } from '../domain/redact-url';
import { migrate } from '../store/migrations';
import { withStore } from './store';

/** Applies pending migrations to the store at `url`: where (password redacted) and which were applied. */
export async function migrateStore(url: string): Promise<{ where: string; applied: string[] }> {
  const applied = await withStore(url, migrate);
  return { where: redactUrl(url), applied: applied.map((m) => m.name) };
}
