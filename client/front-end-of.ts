/** The front end a principal acted through, for audit records: `slack:U123` → `slack`, `cli:alice` → `cli`. */
export function frontEndOf(principal: string): string {
  return principal.slice(0, principal.indexOf(':'));
}
