/** Used where a server must be told its port before it starts (the Temporal CLI, tandem dev in tests and the benchmark). */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768 and up): a port the kernel hands to another process's
// `listen(0)` or outgoing connection between our check and the server's start would be taken.
const FIRST = 10_000;
const LAST = 32_767;
const handedOut = new Set<number>();

/** A port free on 127.0.0.1 right now and not handed out before by this process, for servers that must be told their port up front. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = randomInt(FIRST, LAST + 1);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${FIRST} and ${LAST} after 200 tries`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
