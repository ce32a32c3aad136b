import { posix } from 'node:path';

/**
 * The demo app's pretend file system, in memory: the path traversal flaw reads from this,
 * never from the disk of the machine that runs it. Its /etc/passwd and /etc/services are
 * made up, shaped like the real ones only as far as a scanner's match needs (Wapiti's
 * `file` module looks for `root:x:0:0` and `Network services, Internet style`).
 */
const FILES: Readonly<Record<string, string>> = {
  '/srv/shop/docs/shipping.txt': 'Orders ship within two working days.\n',
  '/srv/shop/docs/returns.txt': 'Returns are free for 30 days.\n',
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nshop:x:1000:1000:Acme Outdoor Shop:/srv/shop:/bin/sh\n',
  '/etc/services': '# Network services, Internet style\nhttp\t\t80/tcp\t\twww\nhttps\t\t443/tcp\n',
};

/** Where the documents live: names are resolved against it. */
export const DOCS_DIR = '/srv/shop/docs';

/**
 * The file `name` names, read the vulnerable way: resolved against DOCS_DIR with no check
 * that it stays inside, so `../../../etc/passwd` and `/etc/passwd` both escape it.
 * Undefined when the pretend file system has no such file.
 */
export function readDocument(name: string): { path: string; content: string } | undefined {
  const path = posix.resolve(DOCS_DIR, name);
  const content = Object.hasOwn(FILES, path) ? FILES[path] : undefined;
  return content === undefined ? undefined : { path, content };
}
