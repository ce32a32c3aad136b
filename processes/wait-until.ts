/** Polls `probe` until it returns true; throws with `what` once `timeoutMs` has passed. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, abort?: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let aborted = false;
  void abort?.then(() => (aborted = true));
  while (Date.now() < deadline) {
    if (aborted) throw new Error(`${what}: the process exited`);
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s`);
}
