import type { Migration } from '../migrations';

/**
 * One finding per weakness (issue 11): moves stored Wapiti findings to the scheme of
 * domain/weakness-split.ts, keeping first-seen dates and triage decisions.
 *
 * Before, Wapiti's missing security headers at a URL were one finding, fingerprint
 * F = sha256("wapiti" NUL rule NUL url NUL ""), its instances naming one header each
 * ("X-Frame-Options is not set"); the same for cookie flags (one finding for all cookies)
 * and weak CSP directives. Now each name is its own finding with the name as its parameter:
 * F_name = sha256("wapiti" NUL rule NUL url NUL name), url being the stored, normalized
 * location (locationFingerprint in domain/fingerprint.ts). Instances naming nothing
 * ("CSP is not set") keep F. So an old F maps to one F_name per name any stored scan saw
 * under F, plus F itself when such unnamed instances exist.
 *
 * - scan_findings: each stored F row becomes its F_name rows (and F for the rest), each
 *   with its own instances, so the next scan's baseline already speaks the new scheme.
 * - findings: each F_name row copies F's row (every column, those of later migrations
 *   included) with its own life from the completed scans' stored findings: first seen in
 *   the first scan that named it — F's own first-seen scan and date for every name present
 *   from F's start, and for every name in the earliest scan still stored should older ones
 *   be gone — last seen in the last scan that named it; F's status (and not-re-tested mark)
 *   when that is F's last-seen scan, else fixed (a later scan re-tested the rule and did
 *   not name it).
 * - triage_decisions: a decision about F (accepted risk, false positive, ticket; revoked
 *   ones too, with their dates) applies to each F_name: copied to each, then F's own rows
 *   are removed unless F lives on for unnamed instances.
 * A finding whose scans are no longer stored cannot be split and is left as it was.
 *
 * The patterns are a frozen copy of WEAKNESS_PATTERNS (domain/weakness-split.ts) as of
 * this version; test/unit/weakness-split.test.ts checks the two agree. JavaScript's `.`
 * and `$` stop at line terminators, hence the guard on multi-line texts.
 */
export const weaknessSplit: Migration = {
  version: 6,
  name: 'weakness-split',
  sql: `
    CREATE TEMPORARY TABLE weakness_instances ON COMMIT DROP AS
    SELECT sf.scan_id, s.target_id, s.status AS scan_status, s.finished_at, sf.fingerprint AS old_fp, sf.finding, i.ord, i.instance,
           CASE WHEN i.instance->>'evidence' ~ '[\\n\\r\\u2028\\u2029]' THEN NULL
                WHEN sf.finding->>'ruleId' = 'http-secure-headers' THEN substring(i.instance->>'evidence' FROM '^(.+) is not set$')
                WHEN sf.finding->>'ruleId' = 'httponly-flag-cookie' THEN substring(i.instance->>'evidence' FROM '^HttpOnly flag is not set in the cookie : (.+)$')
                WHEN sf.finding->>'ruleId' = 'secure-flag-cookie' THEN substring(i.instance->>'evidence' FROM '^Secure flag is not set in the cookie : (.+)$')
                ELSE coalesce(substring(i.instance->>'evidence' FROM '^CSP attribute "(.+)" is missing$'),
                              substring(i.instance->>'evidence' FROM '^CSP "(.+)" value is not safe$'))
           END AS name
    FROM scan_findings sf
    JOIN scans s ON s.id = sf.scan_id
    CROSS JOIN LATERAL jsonb_array_elements(sf.finding->'instances') WITH ORDINALITY AS i(instance, ord)
    WHERE sf.finding->>'engine' = 'wapiti'
      AND sf.finding->>'ruleId' IN ('http-secure-headers', 'httponly-flag-cookie', 'secure-flag-cookie', 'content-security-policy-configuration')
      AND NOT sf.finding ? 'parameter';

    -- One row per stored finding to be: F's parts in each scan, with their instances in order.
    CREATE TEMPORARY TABLE weakness_split ON COMMIT DROP AS
    SELECT scan_id, target_id, scan_status, finished_at, old_fp, name, finding,
           CASE WHEN name IS NULL THEN old_fp
                ELSE encode(sha256(convert_to('wapiti', 'UTF8') || decode('00', 'hex') || convert_to(finding->>'ruleId', 'UTF8') || decode('00', 'hex')
                                   || convert_to(finding->>'url', 'UTF8') || decode('00', 'hex') || convert_to(name, 'UTF8')), 'hex')
           END AS new_fp,
           jsonb_agg(CASE WHEN name IS NULL THEN instance ELSE instance || jsonb_build_object('parameter', name) END ORDER BY ord) AS instances
    FROM weakness_instances
    GROUP BY scan_id, target_id, scan_status, finished_at, old_fp, name, finding;

    DELETE FROM scan_findings sf USING (SELECT DISTINCT scan_id, old_fp FROM weakness_split) w
    WHERE sf.scan_id = w.scan_id AND sf.fingerprint = w.old_fp;
    INSERT INTO scan_findings (scan_id, fingerprint, finding)
    SELECT scan_id, new_fp,
           (finding - 'evidence') || jsonb_build_object('fingerprint', new_fp, 'instances', instances)
             || CASE WHEN name IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('parameter', name) END
             || CASE WHEN instances->0 ? 'evidence' THEN jsonb_build_object('evidence', instances->0->'evidence') ELSE '{}'::jsonb END
    FROM weakness_split;

    -- Each part's life, from the completed scans that saw it.
    CREATE TEMPORARY TABLE weakness_lives ON COMMIT DROP AS
    SELECT target_id, old_fp, new_fp, name,
           (array_agg(scan_id ORDER BY finished_at, scan_id))[1] AS first_scan, min(finished_at) AS first_at,
           (array_agg(scan_id ORDER BY finished_at DESC, scan_id DESC))[1] AS last_scan, max(finished_at) AS last_at
    FROM weakness_split WHERE scan_status = 'completed'
    GROUP BY target_id, old_fp, new_fp, name;

    CREATE TEMPORARY TABLE weakness_old_findings ON COMMIT DROP AS
    SELECT f.*, e.earliest_scan
    FROM findings f
    JOIN (SELECT target_id, old_fp, (array_agg(first_scan ORDER BY first_at, first_scan))[1] AS earliest_scan FROM weakness_lives GROUP BY target_id, old_fp) e
      ON e.target_id = f.target_id AND e.old_fp = f.fingerprint;

    DELETE FROM findings f USING weakness_old_findings o WHERE f.target_id = o.target_id AND f.fingerprint = o.fingerprint;
    INSERT INTO findings
    SELECT (jsonb_populate_record(NULL::findings, (to_jsonb(o) - 'earliest_scan') || jsonb_build_object(
             'fingerprint', l.new_fp,
             'parameter', l.name,
             'first_seen_scan', CASE WHEN l.first_scan = o.earliest_scan THEN o.first_seen_scan ELSE l.first_scan END,
             'first_seen_at', CASE WHEN l.first_scan = o.earliest_scan THEN o.first_seen_at ELSE l.first_at END,
             'last_seen_scan', l.last_scan,
             'last_seen_at', l.last_at,
             'status', CASE WHEN l.last_scan = o.last_seen_scan THEN o.status ELSE 'fixed' END)
           || CASE WHEN l.last_scan = o.last_seen_scan THEN '{}'::jsonb ELSE jsonb_build_object('not_retested_scan', NULL) END)).*
    FROM weakness_lives l
    JOIN weakness_old_findings o ON o.target_id = l.target_id AND o.fingerprint = l.old_fp;

    -- A decision about F holds for each of its parts.
    INSERT INTO triage_decisions
    SELECT (jsonb_populate_record(NULL::triage_decisions, to_jsonb(t) || jsonb_build_object(
             'id', nextval(pg_get_serial_sequence('triage_decisions', 'id')),
             'fingerprint', m.new_fp))).*
    FROM triage_decisions t
    JOIN (SELECT DISTINCT target_id, old_fp, new_fp FROM weakness_split WHERE new_fp <> old_fp) m
      ON m.target_id = t.target_id AND m.old_fp = t.fingerprint
    ORDER BY t.id, m.new_fp;
    DELETE FROM triage_decisions t
    WHERE EXISTS (SELECT 1 FROM weakness_split w WHERE w.target_id = t.target_id AND w.old_fp = t.fingerprint)
      AND NOT EXISTS (SELECT 1 FROM weakness_split w WHERE w.target_id = t.target_id AND w.old_fp = t.fingerprint AND w.new_fp = w.old_fp);
  `,
};
