import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * A PostgreSQL SCRAM-SHA-256 password verifier, computed client-side as psql's \password
 * does. `ALTER ROLE … PASSWORD` takes no bind parameters, so the password has to be in
 * the statement text, and that text can land in the server log (log_statement = ddl/all,
 * or the STATEMENT line after an error) and in pg_stat_statements. Sending the verifier
 * instead keeps the password itself out of all of them; PostgreSQL stores a verifier as
 * is. The password must be printable ASCII, for which SASLprep changes nothing.
 */
const ITERATIONS = 4096;

export function scramSha256Verifier(password: string): string {
  if (!/^[\x20-\x7e]+$/.test(password)) throw new RangeError('password must be printable ASCII (the generator makes such passwords)');
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
