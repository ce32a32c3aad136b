import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeEvidenceOnce } from '../../activities/containment/evidence-file';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A source that yields `text` once released, and tells when it is asked for: attempts made to overlap. */
function gated(text: string) {
  let release!: () => void;
  let asked!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  const wasAsked = new Promise<void>((resolve) => (asked = resolve));
  return {
    release,
    wasAsked,
    source: async () => {
      asked();
      return (async function* () {
        await open;
        yield Buffer.from(text);
      })();
    },
  };
}

describe('writeEvidenceOnce', () => {
  const roots: string[] = [];
  const place = () => {
    const artifactRoot = mkdtempSync(join(tmpdir(), 'secops-evidence-'));
    roots.push(artifactRoot);
    return { artifactRoot, incidentId: 'INC-1' };
  };
  afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('writes the file 0600 in 0700 dirs and returns the hash of its bytes', async () => {
    const at = place();
    const ref = await writeEvidenceOnce(at, 'inspect', async () => (async function* () { yield Buffer.from('{"a":'); yield Buffer.from('1}'); })());
    expect(ref).toEqual({ kind: 'inspect', path: join(at.artifactRoot, 'INC-1', 'evidence', 'inspect.json'), sha256: sha256('{"a":1}'), bytes: 7 });
    expect(readFileSync(ref.path, 'utf8')).toBe('{"a":1}');
    expect(statSync(ref.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(at.artifactRoot, 'INC-1')).mode & 0o777).toBe(0o700);
  });

  it('keeps the first capture: of two attempts racing, both answer with the file that stays', async () => {
    const at = place();
    const [first, second] = [gated('first capture'), gated('second capture, later and different')];
    const attempts = [writeEvidenceOnce(at, 'logs', first.source), writeEvidenceOnce(at, 'logs', second.source)];
    // Both are past the "already there?" check before either finishes.
    await Promise.all([first.wasAsked, second.wasAsked]);
    first.release();
    const firstRef = await attempts[0]!;
    second.release();
    const secondRef = await attempts[1]!;
    expect(readFileSync(firstRef.path, 'utf8')).toBe('first capture');
    expect(firstRef).toEqual(secondRef);
    expect(firstRef.sha256).toBe(sha256('first capture'));
    expect(readdirSync(join(at.artifactRoot, 'INC-1', 'evidence'))).toEqual(['logs.txt']);
    expect(readdirSync(join(at.artifactRoot, 'INC-1', '.partial'))).toEqual([]);
  });

  it('returns an existing file as it is, without asking the source', async () => {
    const at = place();
    const ref = await writeEvidenceOnce(at, 'changes', async () => (async function* () { yield Buffer.from('[]'); })());
    writeFileSync(ref.path, '[{"Path":"/x","Kind":1}]');
    const again = await writeEvidenceOnce(at, 'changes', async () => {
      throw new Error('the source must not be asked again');
    });
    expect(again).toEqual({ ...ref, sha256: sha256('[{"Path":"/x","Kind":1}]'), bytes: 24 });
  });

  it('leaves no file when the source fails midway', async () => {
    const at = place();
    const failing = async () => (async function* () {
      yield Buffer.from('half a tar');
      throw new Error('engine went away');
    })();
    await expect(writeEvidenceOnce(at, 'filesystem', failing)).rejects.toThrow('engine went away');
    expect(readdirSync(join(at.artifactRoot, 'INC-1', 'evidence'))).toEqual([]);
    expect(readdirSync(join(at.artifactRoot, 'INC-1', '.partial'))).toEqual([]);
  });
});
