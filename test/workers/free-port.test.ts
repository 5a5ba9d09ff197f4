import { createServer } from 'node:net';
import { freePort } from '../../workers/free-port';

test('free ports lie below the ephemeral range, are never handed out twice, and can be listened on', async () => {
  const ports: number[] = [];
  for (let i = 0; i < 300; i++) ports.push(await freePort());
  expect(new Set(ports).size).toBe(ports.length);
  expect(ports.filter((p) => p < 10_000 || p > 32_767)).toEqual([]);
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});
