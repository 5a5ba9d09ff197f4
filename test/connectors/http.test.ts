/**
 * Answers that break the rules: HTML error pages, cut-off bodies, wrong types, 404s that are not the
 * API's own, and silence. Each becomes an error that names the system, the endpoint and the record,
 * and only the ones that say nothing about the record are retried.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createHttp, request } from '../../connectors/http';
import { NotFoundError, SchemaError, TransientApiError } from '../../connectors/errors';

type Answer = { status: number; type?: string; body: string; delayMs?: number };
let answer: Answer;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = () => {
      res.writeHead(answer.status, answer.type ? { 'Content-Type': answer.type } : {});
      res.end(answer.body);
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const Department = z.object({ Id: z.number(), Name: z.string() });
const http = () => createHttp({ system: 'poweroffice', baseUrl, timeoutMs: 300 });
const read = () =>
  request(http(), 'poweroffice', {
    endpoint: 'GET /Departments/{id}',
    recordId: 7,
    method: 'GET',
    url: '/Departments/7',
    schema: Department,
  });

async function failure(): Promise<Error> {
  try {
    await read();
  } catch (err) {
    return err as Error;
  }
  throw new Error('the request succeeded');
}

test('a well-formed answer is parsed', async () => {
  answer = { status: 200, type: 'application/json', body: '{"Id":7,"Name":"Sales"}' };
  await expect(read()).resolves.toMatchObject({ data: { Id: 7, Name: 'Sales' }, status: 200 });
});

test("a 404 with the API's JSON error means the record is gone", async () => {
  answer = { status: 404, type: 'application/json', body: '{"title":"Object(s) not found"}' };
  const err = await failure();
  expect(err).toBeInstanceOf(NotFoundError);
  expect(err.message).toContain('poweroffice GET /Departments/{id} (record 7) answered 404');
});

test('a 404 page from a proxy, or an empty 404, is an outage to retry, never a deletion', async () => {
  for (const [type, body] of [
    ['text/html', '<html><body>404 Not Found</body></html>'],
    [undefined, ''],
  ] as const) {
    answer = { status: 404, type, body };
    const err = await failure();
    expect(err).toBeInstanceOf(TransientApiError);
    expect(err).not.toBeInstanceOf(NotFoundError);
    expect(err.message).toContain("not the API's own");
  }
});

test('an HTML error page with 200 is a schema error that says it is not JSON, naming the record', async () => {
  answer = {
    status: 200,
    type: 'text/html; charset=utf-8',
    body: '<!DOCTYPE html><html><title>Maintenance</title></html>',
  };
  const err = await failure();
  expect(err).toBeInstanceOf(SchemaError);
  expect(err.message).toMatch(/GET \/Departments\/\{id\} \(record 7\).*is not JSON \(text\/html/);
});

test('a cut-off JSON body is a schema error, not a crash', async () => {
  answer = { status: 200, type: 'application/json', body: '{"Id":7,"Na' };
  const err = await failure();
  expect(err).toBeInstanceOf(SchemaError);
  expect(err.message).toContain('is not JSON');
});

test('a field of the wrong type is named', async () => {
  answer = { status: 200, type: 'application/json', body: '{"Id":"seven","Name":"Sales"}' };
  const err = await failure();
  expect(err).toBeInstanceOf(SchemaError);
  expect(err.message).toContain('field `Id`');
});

test('an HTML 502 from a gateway is transient and quotes the page briefly', async () => {
  answer = { status: 502, type: 'text/html', body: `<html>${'x'.repeat(2000)}</html>` };
  const err = await failure();
  expect(err).toBeInstanceOf(TransientApiError);
  expect(err.message.length).toBeLessThan(700);
});

test('no answer within the timeout is transient', async () => {
  answer = { status: 200, type: 'application/json', body: '{"Id":7,"Name":"Sales"}', delayMs: 1000 };
  const err = await failure();
  expect(err).toBeInstanceOf(TransientApiError);
  expect(err.message).toMatch(/request failed: (ECONNABORTED|ETIMEDOUT)/);
});
