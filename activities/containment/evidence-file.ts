import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const EVIDENCE_FILES = {
  inspect: 'inspect.json',
  logs: 'logs.txt',
  changes: 'changes.json',
  processes: 'processes.json',
  filesystem: 'filesystem.tar',
} as const;

export type EvidenceKind = keyof typeof EVIDENCE_FILES;

/** What workflow history holds of a piece of evidence: where it is and what it hashed to, never the content. */
export interface EvidenceRef {
  kind: EvidenceKind;
  path: string;
  /** Of the file's bytes as written, hex. */
  sha256: string;
  bytes: number;
}

export interface EvidencePlace {
  artifactRoot: string;
  incidentId: string;
}

/**
 * The bytes of one piece of evidence, asked for only when the file does not exist yet. What
 * it returns should do nothing until read (an async generator), or hold no resource.
 */
export type EvidenceSource = () => Promise<Readable | AsyncIterable<Buffer>>;

/** A partial file not written to for this long belongs to an attempt that died. */
const STALE_PARTIAL_MS = 10 * 60_000;

/**
 * Writes one evidence file once. The first capture is the evidence of record: the container
 * changes from then on (logs grow, files change, a process ends), so a second capture would
 * be different evidence of a later moment, and two files of one kind would leave the
 * timeline asking which one the findings rest on. So when the file exists, its hash is
 * returned and nothing is collected.
 *
 * The bytes go to a partial file beside the evidence dir and are hashed on the way; once
 * synced to disk the partial is hard-linked to the final name. `link` fails when the name
 * exists, where `rename` would replace it: of two attempts racing (a heartbeat timeout
 * starts a retry while the first still runs), the first to finish is the record and the
 * other returns its hash. So a final file is only ever complete, and a crash leaves at most a
 * partial file, outside evidence/.
 */
export async function writeEvidenceOnce(place: EvidencePlace, kind: EvidenceKind, source: EvidenceSource, signal?: AbortSignal): Promise<EvidenceRef> {
  const name = EVIDENCE_FILES[kind];
  const path = join(place.artifactRoot, place.incidentId, 'evidence', name);
  const existing = await hashFile(path);
  if (existing) return { kind, path, ...existing };

  // Asked before any dir is made: a source that fails at once (no such container) leaves nothing.
  const bytesToWrite = await source();
  const { evidence, partials } = await evidenceDirs(place);
  await removeStalePartials(partials, name);
  const partial = join(partials, `${name}.${randomUUID()}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  let linked = true;
  try {
    // Evidence is for the incident's responders alone, whatever umask the worker runs under;
    // `wx`: never into a file another attempt made; `flush`: on disk before the link below.
    const file = createWriteStream(partial, { flags: 'wx', mode: 0o600, flush: true });
    await pipeline(bytesToWrite, hashing, file, { signal });
    await link(partial, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      linked = false;
    });
  } finally {
    await unlink(partial).catch(() => undefined);
  }
  if (!linked) return { kind, path, ...(await existingRecord(path)) };
  await syncDir(evidence);
  return { kind, path, sha256: hash.digest('hex'), bytes };
}

async function existingRecord(path: string): Promise<{ sha256: string; bytes: number }> {
  const record = await hashFile(path);
  if (!record) throw new Error(`${path} was linked by another attempt and is gone again`);
  return record;
}

async function evidenceDirs({ artifactRoot, incidentId }: EvidencePlace): Promise<{ evidence: string; partials: string }> {
  const incident = join(artifactRoot, incidentId);
  const evidence = join(incident, 'evidence');
  const partials = join(incident, '.partial');
  for (const dir of [incident, evidence, partials]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is masked by the umask, and does nothing to a dir that already existed.
    await chmod(dir, 0o700);
  }
  return { evidence, partials };
}

/** The file's hash and size, or undefined when there is no such file. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number } | undefined> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** A filesystem export is as large as the container: dead attempts' partials must not pile up. */
async function removeStalePartials(partials: string, name: string): Promise<void> {
  for (const entry of await readdir(partials)) {
    if (!entry.startsWith(`${name}.`)) continue;
    const path = join(partials, entry);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_PARTIAL_MS) await unlink(path).catch(() => undefined);
  }
}

/** The new name survives a power loss only once its directory is synced too. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
