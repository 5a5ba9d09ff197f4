/**
 * Every simulator answer the connector uses must validate against the PowerOffice Go OpenAPI document.
 * The document declares `GET /{id}` and `PATCH` answers without a body schema, so those are checked
 * against the DTO the list and create answers use.
 */
import axios, { AxiosResponse } from 'axios';
import { PowerOfficeSimulator, startPowerOfficeSimulator } from '../../simulators/poweroffice';
import { loadOpenApi, OpenApiValidator, apiSpec } from '../helpers/openapi';

const SPEC = apiSpec('powerofficego-v2.openapi.yaml');

describe('PowerOffice Go simulator answers match the OpenAPI document', () => {
  let spec: OpenApiValidator;
  let sim: PowerOfficeSimulator;
  let token: string;

  async function call(
    method: string,
    path: string,
    data?: unknown,
    contentType = 'application/json',
  ): Promise<AxiosResponse> {
    return axios.request({
      method,
      url: `${sim.apiUrl}${path}`,
      data: data === undefined ? undefined : JSON.stringify(data),
      headers: {
        Authorization: `Bearer ${token}`,
        'Ocp-Apim-Subscription-Key': sim.credentials.subscriptionKey,
        'Content-Type': contentType,
      },
      validateStatus: () => true,
    });
  }

  /** Validates against the operation's declared schema, or the DTO when the document declares none. */
  function check(method: string, template: string, res: AxiosResponse, dto?: string): void {
    const problems = spec.hasResponseSchema(method, template, res.status)
      ? spec.validateResponse(method, template, res.status, res.data)
      : dto
        ? spec.validateSchema(dto, res.data)
        : spec.validateResponse(method, template, res.status, res.data);
    expect({ answer: `${method} ${template} ${res.status}`, problems }).toEqual({
      answer: `${method} ${template} ${res.status}`,
      problems: [],
    });
  }

  beforeAll(async () => {
    spec = loadOpenApi(SPEC);
    sim = await startPowerOfficeSimulator({ rateLimit: { limit: 0, windowMs: 1000 } });
    const basic = Buffer.from(`${sim.credentials.applicationKey}:${sim.credentials.clientKey}`).toString('base64');
    const res = await axios.post(sim.tokenUrl, 'grant_type=client_credentials', {
      headers: {
        Authorization: `Basic ${basic}`,
        'Ocp-Apim-Subscription-Key': sim.credentials.subscriptionKey,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
    });
    token = res.data.access_token;
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('departments: list, get, create, patch, and their errors', async () => {
    const created = await call('POST', '/Departments', { Name: 'Sales', Code: 'S1' });
    expect(created.status).toBe(201);
    check('POST', '/Departments', created);
    const id = created.data.Id;
    check('GET', '/Departments', await call('GET', '/Departments'));
    check(
      'GET',
      '/Departments',
      await call(
        'GET',
        `/Departments?lastChangedDateTimeOffsetGreaterThan=${encodeURIComponent('2000-01-01 00:00:00.1234567 +00:00')}&PageSize=1`,
      ),
    );
    check('GET', '/Departments/{id}', await call('GET', `/Departments/${id}`), 'DepartmentDto');
    const patched = await call(
      'PATCH',
      `/Departments/${id}`,
      [{ op: 'replace', path: '/Name', value: 'Sales 2' }],
      'application/json-patch+json',
    );
    expect(patched.status).toBe(200);
    check('PATCH', '/Departments/{id}', patched, 'DepartmentDto');

    const invalid = await call('POST', '/Departments', { Code: 'no name' });
    expect(invalid.status).toBe(400);
    check('POST', '/Departments', invalid);
    const badPatch = await call(
      'PATCH',
      `/Departments/${id}`,
      [{ op: 'replace', path: '/Id', value: 5 }],
      'application/json-patch+json',
    );
    expect(badPatch.status).toBe(400);
    check('PATCH', '/Departments/{id}', badPatch);
    const missing = await call('GET', '/Departments/999');
    expect(missing.status).toBe(404);
    check('GET', '/Departments/{id}', missing);
    const badFilter = await call('GET', '/Departments?lastChangedDateTimeOffsetGreaterThan=soon');
    expect(badFilter.status).toBe(400);
    check('GET', '/Departments', badFilter);
  });

  it('employees: list, get, create, patch, and their errors', async () => {
    const dep = await call('POST', '/Departments', { Name: 'Support' });
    const created = await call('POST', '/Employees', {
      FirstName: 'Kari',
      LastName: 'Nordmann',
      EmailAddress: 'kari@example.com',
      DepartmentId: dep.data.Id,
      ExternalImportReference: 'tandem-1',
      MailAddress: { AddressLine1: 'Gate 1', ZipCode: '0150', City: 'Oslo', CountryCode: 'NO' },
    });
    expect(created.status).toBe(201);
    check('POST', '/Employees', created);
    const id = created.data.Id;
    check('GET', '/Employees', await call('GET', '/Employees?externalImportReference=tandem-1'));
    check('GET', '/Employees', await call('GET', '/Employees'));
    check('GET', '/Employees/{employeeId}', await call('GET', `/Employees/${id}`), 'EmployeeDto');
    const patched = await call(
      'PATCH',
      `/Employees/${id}`,
      [{ op: 'replace', path: '/MailAddress/City', value: 'Bergen' }],
      'application/json-patch+json',
    );
    expect(patched.status).toBe(200);
    check('PATCH', '/Employees/{employeeId}', patched, 'EmployeeDto');

    const duplicate = await call('POST', '/Employees', {
      FirstName: 'Ola',
      LastName: 'N',
      ExternalImportReference: 'TANDEM-1',
    });
    expect(duplicate.status).toBe(400);
    check('POST', '/Employees', duplicate);
    const noDepartment = await call('POST', '/Employees', { FirstName: 'Ola', LastName: 'N', DepartmentId: 1 });
    expect(noDepartment.status).toBe(404);
    check('POST', '/Employees', noDepartment);
    const inUse = await call('DELETE', `/Departments/${dep.data.Id}`);
    expect(inUse.status).toBe(409);
    check('DELETE', '/Departments/{id}', inUse);
    const missing = await call('GET', '/Employees/1');
    expect(missing.status).toBe(404);
    check('GET', '/Employees/{employeeId}', missing);
  });

  it('declares the 401 and 429 answers the gateway gives', async () => {
    const unauthorized = await axios.get(`${sim.apiUrl}/Departments`, {
      headers: { 'Ocp-Apim-Subscription-Key': sim.credentials.subscriptionKey },
      validateStatus: () => true,
    });
    expect(unauthorized.status).toBe(401);
    check('GET', '/Departments', unauthorized);
    const limited = await startPowerOfficeSimulator({ rateLimit: { limit: 1, windowMs: 60_000 } });
    try {
      const statuses = [];
      for (let i = 0; i < 2; i += 1)
        statuses.push((await axios.get(`${limited.apiUrl}/Departments`, { validateStatus: () => true })).status);
      expect(statuses).toEqual([401, 429]);
      expect(spec.hasResponseSchema('GET', '/Departments', 429)).toBe(false);
    } finally {
      await limited.stop();
    }
  });

  it('answers nested MailAddress keys PascalCase and an empty list 204, as the document declares', async () => {
    const seeded = await startPowerOfficeSimulator({
      rateLimit: { limit: 0, windowMs: 1000 },
      employees: [{ FirstName: 'A', LastName: 'B', MailAddress: { city: 'Oslo', zipCode: '0150' } }],
    });
    try {
      const basic = Buffer.from(`${seeded.credentials.applicationKey}:${seeded.credentials.clientKey}`).toString(
        'base64',
      );
      const headers = { 'Ocp-Apim-Subscription-Key': seeded.credentials.subscriptionKey };
      const t = await axios.post(seeded.tokenUrl, 'grant_type=client_credentials', {
        headers: { ...headers, Authorization: `Basic ${basic}` },
      });
      const auth = { ...headers, Authorization: `Bearer ${t.data.access_token}` };
      const list = await axios.get(`${seeded.apiUrl}/Employees`, { headers: auth });
      expect(list.data[0].MailAddress).toMatchObject({ City: 'Oslo', ZipCode: '0150' });
      expect(spec.validateResponse('GET', '/Employees', 200, list.data)).toEqual([]);
      const none = await axios.get(`${seeded.apiUrl}/Departments`, { headers: auth, validateStatus: () => true });
      expect(none.status).toBe(204);
      expect(none.data).toBe('');
      expect(spec.validateResponse('GET', '/Departments', 204, none.data)).toEqual([]);
      expect(spec.hasResponseSchema('GET', '/Departments', 204)).toBe(false);
    } finally {
      await seeded.stop();
    }
  });
});
