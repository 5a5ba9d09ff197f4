/**
 * PowerOffice Go v2 imitated over HTTP: the token endpoint, the gateway's checks (subscription key,
 * bearer token), and the Departments and Employees operations, answering as the real API does
 * (PascalCase, RFC 7807 problem details, 10 requests/s with 429 + Retry-After by default).
 */
import { randomBytes } from 'node:crypto';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Clock, createSimulator, Simulator, SimulatorOptions, SimulatorStats } from '../kit';
import { PowerOfficeResource, type PowerOfficeResourceSpec } from './resource';
import { ListPage, PowerOfficeState, Problem, Query } from './state';

interface PowerOfficeCredentials {
  applicationKey: string;
  clientKey: string;
  subscriptionKey: string;
}

export type PowerOfficeSimulatorOptions = SimulatorOptions & {
  /** Token lifetime; the real one is 20 minutes. */
  tokenTtlSeconds?: number;
  /** Generated at random when absent. */
  credentials?: Partial<PowerOfficeCredentials>;
  /** Initial records as (partial) DTOs; by default the client has none. */
  departments?: Array<Record<string, unknown>>;
  employees?: Array<Record<string, unknown>>;
  /** Resources beyond departments and employees: an extension's record types. */
  resources?: readonly PowerOfficeResourceSpec[];
};

export interface PowerOfficeSimulator {
  /** Root of the server; the API is at `${url}/v2`, tokens at `${url}/OAuth/Token` (outside `/v2`, as the real API). */
  url: string;
  apiUrl: string;
  tokenUrl: string;
  credentials: PowerOfficeCredentials;
  stats: SimulatorStats;
  state: PowerOfficeState;
  /** The `resources` asked for, by path. */
  resources: ReadonlyMap<string, PowerOfficeResource>;
  sim: Simulator;
  /** Makes every issued token invalid (as if revoked), so the next call answers 401. */
  revokeTokens(): void;
  stop(): Promise<void>;
}

/** The list answers' paging metadata, a JSON object. */
const PAGINATION_HEADER = 'X-Pagination';

// The real token endpoint is outside the API version: https://goapi.poweroffice.net/OAuth/Token.
const TOKEN_PATH = '/OAuth/Token';

export async function startPowerOfficeSimulator(
  options: PowerOfficeSimulatorOptions = {},
): Promise<PowerOfficeSimulator> {
  const { tokenTtlSeconds = 1200, credentials: given, departments, employees, resources = [], ...kitOptions } = options;
  const credentials: PowerOfficeCredentials = {
    applicationKey: given?.applicationKey ?? randomBytes(16).toString('hex'),
    clientKey: given?.clientKey ?? randomBytes(16).toString('hex'),
    subscriptionKey: given?.subscriptionKey ?? randomBytes(16).toString('hex'),
  };
  // Milliseconds, or whole seconds while the `sameSecondTimes` fault is on (known once the kit is made).
  let wholeSeconds = () => false;
  const clock = new Clock(() => wholeSeconds());
  const state = new PowerOfficeState(clock);
  state.seed(departments, employees);
  // A snapshot, when one exists at snapshotPath, replaces the seeded records (the kit loads it).
  const sim = createSimulator('poweroffice', { rateLimit: { limit: 10, windowMs: 1000 }, ...kitOptions }, state);
  wholeSeconds = () => sim.options.faults.sameSecondTimes;
  sim.countTies(clock);

  const tokens = new Map<string, number>();
  const app = sim.app;

  const json = (_req: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void): void => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body));
    } catch {
      done(new Problem(400, 'One or more validation errors occurred.', 'The request body is not valid JSON.'));
    }
  };
  // Own JSON parser: an empty body (a DELETE sent with a JSON content type) is no error, as in ASP.NET;
  // text/plain is not JSON, so it gets 415 like any other type the API does not read.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, json);
  app.addContentTypeParser('text/json', { parseAs: 'string' }, json);
  app.addContentTypeParser(/^application\/[\w.-]*\+json/, { parseAs: 'string' }, json);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof Problem) return problem(reply, err);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    return problem(
      reply,
      new Problem(
        status,
        status === 415 ? 'Unsupported Media Type' : 'One or more validation errors occurred.',
        err.message,
      ),
    );
  });

  // The API gateway: subscription key on every call, then a valid bearer token on all but the token endpoint.
  app.addHook('onRequest', async (req, reply) => {
    const isToken = req.url.split('?')[0] === TOKEN_PATH;
    if (!req.url.startsWith('/v2/') && !isToken) return;
    if (req.headers['ocp-apim-subscription-key'] !== credentials.subscriptionKey) {
      const missing = req.headers['ocp-apim-subscription-key'] === undefined;
      return reply.code(401).send({
        statusCode: 401,
        message: `Access denied due to ${missing ? 'missing' : 'invalid'} subscription key. Make sure to provide a valid key for an active subscription.`,
      });
    }
    if (isToken) return;
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(auth)?.[1];
    const expires = token === undefined ? undefined : tokens.get(token);
    if (expires === undefined || Date.now() >= expires) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer error="invalid_token"')
        .send({ statusCode: 401, message: 'Unauthorized. Access token is missing or invalid.' });
    }
  });

  app.post(TOKEN_PATH, async (req, reply) => {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [appKey, clientKey] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') return reply.code(400).send({ error: 'unsupported_grant_type' });
    if (appKey !== credentials.applicationKey || clientKey !== credentials.clientKey)
      return reply.code(401).send({ error: 'invalid_client' });
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + tokenTtlSeconds * 1000);
    return { access_token: token, token_type: 'Bearer', expires_in: tokenTtlSeconds };
  });

  const query = (req: FastifyRequest): Query =>
    Object.fromEntries(
      Object.entries((req.query ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k.toLowerCase(),
        Array.isArray(v) ? String(v[0]) : String(v),
      ]),
    );
  const idOf = (req: FastifyRequest, name: string): number => {
    const raw = (req.params as Record<string, string>)[name];
    if (!/^\d+$/.test(raw))
      throw new Problem(400, 'One or more validation errors occurred.', `${name}: The value '${raw}' is not valid.`);
    return Number(raw);
  };
  const patchOnly = (req: FastifyRequest): void => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json-patch+json')
      throw new Problem(
        415,
        'Unsupported Media Type',
        `PATCH needs Content-Type application/json-patch+json, not '${type || 'none'}'.`,
      );
  };

  // The OpenAPI document answers a list with no match `204 No Content`, not an empty array. Every
  // list says where it stands in X-Pagination, so a client pages by the header, not by page length.
  // A page may fail or come back short on purpose (the kit's list faults), its header unchanged.
  const list = <T>(req: FastifyRequest, reply: FastifyReply, page: ListPage<T>, dto: (item: T) => unknown) => {
    const fault = sim.listFault(req, { later: page.pagination.currentPage > 1, more: page.pagination.hasNext });
    if (fault?.kind === 'fail')
      return problem(reply, new Problem(fault.status, 'Service Unavailable', fault.description));
    const items = fault?.kind === 'short' ? page.items.filter((_item, i) => fault.keep(i)) : page.items;
    reply.header(PAGINATION_HEADER, JSON.stringify(page.pagination));
    return items.length === 0 ? reply.code(204).send() : reply.send(items.map(dto));
  };

  app.get('/v2/Departments', async (req, reply) =>
    list(req, reply, state.pageOfDepartments(query(req)), (d) => state.departmentDto(d)),
  );
  app.get('/v2/Departments/:id', async (req) => state.departmentDto(state.department(idOf(req, 'id'))));
  app.post('/v2/Departments', async (req, reply) =>
    reply.code(201).send(state.departmentDto(state.createDepartment(req.body))),
  );
  app.patch('/v2/Departments/:id', async (req) => {
    patchOnly(req);
    return state.departmentDto(state.patchDepartment(idOf(req, 'id'), req.body));
  });
  app.delete('/v2/Departments/:id', async (req, reply) => {
    state.deleteDepartment(idOf(req, 'id'));
    return reply.code(200).send();
  });

  app.get('/v2/Employees', async (req, reply) =>
    list(req, reply, state.pageOfEmployees(query(req)), (e) => state.employeeDto(e)),
  );
  app.get('/v2/Employees/:employeeId', async (req) => state.employeeDto(state.employee(idOf(req, 'employeeId'))));
  app.post('/v2/Employees', async (req, reply) =>
    reply.code(201).send(state.employeeDto(state.createEmployee(req.body))),
  );
  app.patch('/v2/Employees/:employeeId', async (req) => {
    patchOnly(req);
    return state.employeeDto(state.patchEmployee(idOf(req, 'employeeId'), req.body));
  });
  app.delete('/v2/Employees/:employeeId', async (req, reply) => {
    state.deleteEmployee(idOf(req, 'employeeId'));
    return reply.code(200).send();
  });

  const extra = new Map(resources.map((spec) => [spec.path, new PowerOfficeResource(spec, clock)]));
  for (const [path, resource] of extra) {
    app.get(`/v2${path}`, async (req, reply) => list(req, reply, resource.pageOf(query(req)), (r) => r));
    app.get(`/v2${path}/:id`, async (req) => resource.get(idOf(req, 'id')));
    app.post(`/v2${path}`, async (req, reply) => reply.code(201).send(resource.create(req.body)));
    app.patch(`/v2${path}/:id`, async (req) => {
      patchOnly(req);
      return resource.patch(idOf(req, 'id'), req.body);
    });
    app.delete(`/v2${path}/:id`, async (req, reply) => {
      resource.delete(idOf(req, 'id'));
      return reply.code(200).send();
    });
  }

  app.post('/_sim/tokens/revoke', async () => {
    tokens.clear();
    return { revoked: true };
  });

  const url = await sim.start();
  return {
    url,
    apiUrl: `${url}/v2`,
    tokenUrl: `${url}${TOKEN_PATH}`,
    credentials,
    stats: sim.stats,
    state,
    resources: extra,
    sim,
    revokeTokens: () => tokens.clear(),
    stop: () => sim.stop(),
  };
}

function problem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `https://tools.ietf.org/html/rfc9110#section-15.${p.status >= 500 ? '6' : '5'}`,
      title: p.title,
      status: p.status,
      detail: p.detail,
    });
}
