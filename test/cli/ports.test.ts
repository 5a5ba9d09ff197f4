/** A port in use is named with the option that changes it, not a bare EADDRINUSE. */
import { createServer, type Server } from 'node:net';
import { runCli } from './run-cli';

describe('a port in use', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => taken.close(() => r())));

  it('tandem simulators names the port and the option to pass', async () => {
    const r = await runCli([
      'simulators',
      '--zendesk-port',
      '0',
      '--poweroffice-port',
      String(port),
      '--crmoffice-port',
      '0',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`port ${port} is in use`);
    expect(r.err).toContain('pass --poweroffice-port');
    expect(r.err).not.toContain('EADDRINUSE');
  });
});

describe('a second tandem dev', () => {
  it('is refused before anything starts, naming the option of the port in use', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await runCli(['dev', '--headless', '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`port ${port} is in use .*; pass --port\\n`));
      expect(r.out).not.toContain('Starting the Temporal dev server');
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });
});
