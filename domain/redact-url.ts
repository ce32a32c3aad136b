/** Query parameters that carry a credential: libpq's `password` / `sslpassword`, tokens, keys, secrets. */
const CREDENTIAL_PARAMETER = /pass(word)?|pwd|secret|token|(^|[_-])key$|^key|apikey|auth|signature|credential/i;

/**
 * A URL as it may be printed: its user-info without the password, and every credential-like
 * query parameter masked (`postgres://app@db/x?password=***`). One helper, so every message and
 * log line that shows a URL (database, Vault, Slack) hides the same things.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable URL>';
  }
  parsed.password = '';
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (CREDENTIAL_PARAMETER.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}
