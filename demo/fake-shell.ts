/**
 * The demo app's pretend shell: the command execution flaw runs what a request makes of
 * its command line through this, never through a real shell. It splits the line where
 * sh would (`;`, `|`, `&`, newlines) and answers a few commands from a table with made-up
 * output, enough for a scanner to see its injected command run (Wapiti's `exec` module
 * looks for `PATH=` and `PWD=` in the output of `env`). `sleep` returns at once: a real
 * shell would hold the request for as long as a time-based payload asks.
 */
const ENVIRONMENT = 'PATH=/usr/local/bin:/usr/bin:/bin\nPWD=/srv/shop\nHOME=/srv/shop\nUSER=shop\nSHELL=/bin/sh\n';

const COMMANDS: Readonly<Record<string, (args: string[]) => string>> = {
  ping: (args) => {
    const host = args.filter((a) => !a.startsWith('-') && !/^\d+$/.test(a)).pop();
    if (host === undefined) return 'ping: usage error: Destination address required\n';
    if (!/^[a-z0-9.-]+$/i.test(host)) return `ping: ${host}: Name or service not known\n`;
    return `PING ${host}: 56 data bytes\n64 bytes from ${host}: icmp_seq=0 ttl=64 time=0.051 ms\n1 packets transmitted, 1 received, 0% packet loss\n`;
  },
  env: () => ENVIRONMENT,
  set: () => ENVIRONMENT,
  id: () => 'uid=1000(shop) gid=1000(shop) groups=1000(shop)\n',
  whoami: () => 'shop\n',
  echo: (args) => `${args.join(' ')}\n`,
  sleep: () => '',
  true: () => '',
};

/** What `sh -c line` would print, for the commands the table knows; `not found` for the rest. */
export function runFakeShell(line: string): string {
  return line
    .split(/;|\|\|?|&&?|\r?\n/)
    .map((command) => command.trim().split(/\s+/).filter((word) => word.length > 0))
    .filter((words) => words.length > 0)
    .map(([name = '', ...args]) => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name]!(args) : `sh: 1: ${name}: not found\n`))
    .join('');
}
