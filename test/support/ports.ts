import { readFileSync } from 'node:fs';
import { isPortFree } from '../../processes/port';

/**
 * Ports for servers a test starts in a child process (Temporal, `secops dev`, the demo app).
 *
 * A port the kernel picked with listen(0) is ephemeral: between our close and the child's
 * bind, any outgoing connection on the machine may be given it. So ports come from outside
 * the kernel's ephemeral range, where nothing is handed out at random, and each vitest
 * worker draws from a slice of its own (globalSetup, which has no pool id, from slice 0),
 * so files running in parallel never draw the same port. Within a slice the first port is
 * random, so two vitest runs on one machine seldom start on the same one, and each port is
 * still checked free before it is handed out.
 */

/** Below this live the services tests talk to (PostgreSQL 5432, Temporal 7233/8233, OpenBao 8200, the demo app 8088). */
const FLOOR = 10_000;
const CEILING = 65_535;
const SLICE_SIZE = 400;

/** The kernel's ephemeral range; Linux's default when it cannot be read. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // Not Linux, or no procfs: assume the default.
  }
  return [32_768, 60_999];
}

/** The larger stretch outside the ephemeral range: below it, or above it. */
function allowedStretch(): { start: number; size: number } {
  const [low, high] = ephemeralRange();
  const below = { start: FLOOR, size: Math.max(0, low - FLOOR) };
  const above = { start: Math.max(FLOOR, high + 1), size: Math.max(0, CEILING - Math.max(FLOOR, high + 1) + 1) };
  const stretch = below.size >= above.size ? below : above;
  if (stretch.size < SLICE_SIZE * 2) throw new Error(`no room for test ports outside the ephemeral range ${low}-${high}`);
  return stretch;
}

function ownSlice(): { start: number; size: number } {
  const stretch = allowedStretch();
  const slices = Math.floor(stretch.size / SLICE_SIZE);
  const poolId = Number(process.env.VITEST_POOL_ID ?? 0);
  return { start: stretch.start + (poolId % slices) * SLICE_SIZE, size: SLICE_SIZE };
}

let slice: { start: number; size: number } | undefined;
let next = -1;
const handedOut = new Set<number>();

/** A port on 127.0.0.1 that is free now and that no other test file of this run is handed. */
export async function freePort(): Promise<number> {
  slice ??= ownSlice();
  if (next < 0) next = Math.floor(Math.random() * slice.size);
  for (let tried = 0; tried < slice.size; tried += 1) {
    const port = slice.start + next;
    next = (next + 1) % slice.size;
    if (handedOut.has(port) || !(await isPortFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port left in ${slice.start}-${slice.start + slice.size - 1} (vitest pool ${process.env.VITEST_POOL_ID ?? 'globalSetup'})`);
}
