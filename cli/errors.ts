/** Errors as a person can act on them: a port in use names the option or variable to change. */
import { createServer } from 'node:net';

interface ListenError {
  code?: string;
  port?: number;
  address?: string;
}

function isPortInUse(err: unknown): err is ListenError {
  return (err as ListenError | undefined)?.code === 'EADDRINUSE';
}

/**
 * `ports` maps each port this command listens on to how to change it, e.g.
 * `{ 7301: '--zendesk-port' }`; an unknown port is still named.
 */
function portInUseMessage(err: ListenError, ports: Record<number, string>): string {
  const port = err.port ?? Number(/:(\d+)\s*$/.exec(String((err as Error).message ?? ''))?.[1]);
  const how = ports[port];
  return `port ${port} is in use (another tandem or another program listens on ${err.address ?? '127.0.0.1'}:${port})${how ? `; pass ${how}` : ''}`;
}

/** Runs `fn`, turning EADDRINUSE into a message naming the option to change. */
export async function explainingPorts<T>(ports: Record<number, string>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isPortInUse(err)) throw new Error(portInUseMessage(err, ports));
    throw err;
  }
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Checks the ports before anything starts: a Temporal port in use would otherwise be answered by
 * the server already there (another `tandem dev`), and that stack would be used by mistake.
 */
export async function assertPortsFree(ports: Record<number, string>, host = '127.0.0.1'): Promise<void> {
  for (const [port, how] of Object.entries(ports)) {
    if (Number(port) === 0) continue;
    if (!(await portFree(Number(port), host)))
      throw new Error(portInUseMessage({ port: Number(port), address: host }, { [port]: how }));
  }
}
