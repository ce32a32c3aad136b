/**
 * How a container an incident stopped is kept from removal. Labels cannot change after a
 * container is created, but its name can: a held container is renamed to
 * `secops-held.<incident>.<short id>`, and every remover of ours (scanners/reaper.ts, the
 * cleanup of scanners/run-container.ts) leaves such a name alone. The mark lives on the
 * container itself, so it survives worker restarts and needs no store shared between
 * workers and hosts; `docker ps -a` shows it to people as well, and the victim's old name is
 * freed for its replacement (a deploy script doing `docker rm -f web` no longer finds the
 * evidence). The old name stays in the inspect evidence, taken before the hold.
 */
export const HELD_NAME_PREFIX = 'secops-held.';

export function heldName(incidentId: string, containerId: string): string {
  return `${HELD_NAME_PREFIX}${incidentId}.${containerId.slice(0, 12)}`;
}

/** `name` as inspect (`/name`) or the container list gives it. */
export function isHeld(name: string): boolean {
  return name.replace(/^\//, '').startsWith(HELD_NAME_PREFIX);
}
