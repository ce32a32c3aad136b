import type { Command } from 'commander';
import { migrateStore } from '../../client/migrate-store';
import { ValidationError } from '../../domain/validation-error';
import { settings } from '../settings';

export function registerStore(program: Command): void {
  program
    .command('store')
    .description('the SQL store of findings, triage decisions and the audit trail')
    .command('migrate')
    .description('apply pending store migrations to DATABASE_URL')
    .action(async () => {
      const { env } = settings();
      if (!env.DATABASE_URL) throw new ValidationError('environment', [{ path: 'DATABASE_URL', message: 'required for secops store migrate' }]);
      const { where, applied } = await migrateStore(env.DATABASE_URL);
      console.log(`${where}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    });
}
