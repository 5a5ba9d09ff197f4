/** The PowerOffice Go simulator's rules that the contract test does not reach: filters, paging, validation, gateway, snapshots. */
import axios from 'axios';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../../simulators/kit';
import {
  parseTimestamp,
  PowerOfficeSimulator,
  PowerOfficeState,
  Problem,
  startPowerOfficeSimulator,
} from '../../simulators/poweroffice';

function problemOf(fn: () => unknown): Problem {
  try {
    fn();
  } catch (err) {
    if (err instanceof Problem) return err;
    throw err;
  }
  throw new Error('expected a Problem');
}

describe('PowerOffice Go simulator state', () => {
  let state: PowerOfficeState;
  beforeEach(() => {
    state = new PowerOfficeState(new Clock());
  });

  it('filters employees by employeeNos ranges and external reference, departments by isActive, codes and name', () => {
    for (const n of [1, 5, 100, 150, 200, 300, 501])
      state.createEmployee({ FirstName: 'F', LastName: `N${n}`, Number: n, ExternalImportReference: `ref-${n}` });
    const nos = (q: string) => state.listEmployees({ employeenos: q }).map((e) => e.Number);
    expect(nos('1, 100-200, 500-')).toEqual([1, 100, 150, 200, 501]);
    expect(nos('5')).toEqual([5]);
    expect(problemOf(() => nos('a-b')).status).toBe(400);
    expect(state.listEmployees({ externalimportreference: 'REF-150' }).map((e) => e.Number)).toEqual([150]);

    state.createDepartment({ Name: 'Sales Oslo', Code: 'S1' });
    state.createDepartment({ Name: 'Sales Bergen', Code: 'S2', IsActive: false });
    state.createDepartment({ Name: 'Support', Code: 'X' });
    const names = (q: Record<string, string>) => state.listDepartments(q).map((d) => d.Name);
    expect(names({ isactive: 'false' })).toEqual(['Sales Bergen']);
    expect(names({ isactive: 'true' })).toEqual(['Sales Oslo', 'Support']);
    expect(names({ codes: 'S1, X' })).toEqual(['Sales Oslo', 'Support']);
    expect(names({ name: 'sales' })).toEqual(['Sales Oslo', 'Sales Bergen']);
  });

  it('pages by Id with PageNumber and PageSize (default 5000)', () => {
    const ids = Array.from({ length: 5 }, (_, i) => state.createDepartment({ Name: `D${i}` }).Id);
    expect(state.listDepartments({}).map((d) => d.Id)).toEqual(ids);
    expect(state.listDepartments({ pagesize: '2', pagenumber: '3' }).map((d) => d.Id)).toEqual([ids[4]]);
    expect(state.listDepartments({ pagesize: '2', pagenumber: '4' })).toEqual([]);
    expect(problemOf(() => state.listDepartments({ pagenumber: '0' })).status).toBe(400);
  });

  it('reads the API timestamp format with 7 fractional digits, strictly greater', () => {
    expect(parseTimestamp('2021-09-25 08:03:00.1234567 -00:00')).toBe(Date.parse('2021-09-25T08:03:00.123Z'));
    expect(parseTimestamp('2021-09-25T10:03:00+02:00')).toBe(Date.parse('2021-09-25T08:03:00Z'));
    expect(parseTimestamp('soon')).toBeNaN();
    const a = state.createDepartment({ Name: 'A' });
    const b = state.createDepartment({ Name: 'B' });
    expect(
      state.listDepartments({ lastchangeddatetimeoffsetgreaterthan: a.LastChangedDateTimeOffset }).map((d) => d.Id),
    ).toEqual([b.Id]);
  });

  it('validates writes: required fields, lengths, types, references, unknown and read-only patch paths', () => {
    expect(problemOf(() => state.createDepartment({ Name: '  ' })).detail).toMatch(/^Name:/);
    expect(
      problemOf(() => state.createEmployee({ FirstName: 'A', LastName: 'B', ExternalImportReference: 'x'.repeat(51) }))
        .detail,
    ).toMatch(/^ExternalImportReference:/);
    expect(
      problemOf(() => state.createEmployee({ FirstName: 'A', LastName: 'B', DepartmentId: 'one' })).detail,
    ).toMatch(/^DepartmentId:/);
    const dep = state.createDepartment({ Name: 'D' });
    const emp = state.createEmployee({ firstname: 'A', LASTNAME: 'B', DepartmentId: dep.Id, Id: 7 });
    expect(emp).toMatchObject({ FirstName: 'A', LastName: 'B', DepartmentId: dep.Id });
    expect(emp.Id).not.toBe(7);
    expect(
      problemOf(() => state.patchEmployee(emp.Id, [{ op: 'replace', path: '/DepartmentId', value: 42 }])).status,
    ).toBe(400);
    expect(
      problemOf(() =>
        state.patchEmployee(emp.Id, [{ op: 'replace', path: '/EmployeeCreatedDateTimeOffset', value: 'x' }]),
      ).detail,
    ).toMatch(/EmployeeCreatedDateTimeOffset/);
    expect(
      problemOf(() => state.patchEmployee(emp.Id, [{ op: 'replace', path: '/Nickname', value: 'x' }])).detail,
    ).toMatch(/'Nickname' was not found/);
    expect(
      problemOf(() => state.patchEmployee(emp.Id, [{ op: 'replace', path: '/MailAddress/city', value: 'Oslo' }]))
        .status,
    ).toBe(400);
    // Patch paths name fields in the documented casing only (bodies are read in any casing).
    expect(
      problemOf(() => state.patchEmployee(emp.Id, [{ op: 'replace', path: '/firstName', value: 'X' }])).detail,
    ).toMatch(/'firstName' was not found/);
    expect(
      problemOf(() => state.patchEmployee(emp.Id, [{ op: 'move', path: '/FirstName', from: '/LastName' }])).status,
    ).toBe(400);
    expect(problemOf(() => state.patchEmployee(emp.Id, { op: 'replace' })).status).toBe(400);
    expect(problemOf(() => state.deleteDepartment(dep.Id)).status).toBe(409);
    // A refused patch leaves the record as it was.
    expect(state.employee(emp.Id)).toEqual(emp);
  });

  it('moves LastChangedDateTimeOffset on a real change only; the address has its own timestamp', () => {
    const emp = state.createEmployee({ FirstName: 'A', LastName: 'B', MailAddress: { City: 'Oslo', ZipCode: '0150' } });
    const same = state.patchEmployee(emp.Id, [{ op: 'replace', path: '/FirstName', value: 'A' }]);
    expect(same.LastChangedDateTimeOffset).toBe(emp.LastChangedDateTimeOffset);
    const addr = state.patchEmployee(emp.Id, [{ op: 'replace', path: '/MailAddress/City', value: 'Bergen' }]);
    expect(addr.LastChangedDateTimeOffset).toBe(emp.LastChangedDateTimeOffset);
    expect(addr.MailAddress!.Id).toBe(emp.MailAddress!.Id);
    expect(Date.parse(addr.MailAddress!.LastChangedDateTimeOffset)).toBeGreaterThan(
      Date.parse(emp.MailAddress!.LastChangedDateTimeOffset),
    );
    const name = state.patchEmployee(emp.Id, [{ op: 'replace', path: '/FirstName', value: 'C' }]);
    expect(Date.parse(name.LastChangedDateTimeOffset)).toBeGreaterThan(Date.parse(emp.LastChangedDateTimeOffset));
  });

  it('round-trips its state through dump() and load(), seeding with given ids and timestamps', () => {
    state.seed(
      [
        {
          Id: 77,
          Name: 'Seeded',
          CreatedDateTimeOffset: '2020-01-01T00:00:00.000Z',
          LastChangedDateTimeOffset: '2020-01-02T00:00:00.000Z',
        },
      ],
      [{ FirstName: 'S', LastName: 'E', DepartmentId: 77 }],
    );
    expect(state.department(77)).toMatchObject({
      Name: 'Seeded',
      LastChangedDateTimeOffset: '2020-01-02T00:00:00.000Z',
    });
    const copy = new PowerOfficeState(new Clock());
    copy.load(JSON.parse(JSON.stringify(state.dump())));
    expect(copy.dump()).toEqual(state.dump());
    // Ids keep counting after a load.
    expect(copy.createDepartment({ Name: 'Next' }).Id).toBe(state.createDepartment({ Name: 'Next' }).Id);
    expect(() => copy.load({ departments: 'none' })).toThrow();
  });
});

describe('PowerOffice Go simulator over HTTP', () => {
  let sim: PowerOfficeSimulator;
  let snapshotPath: string;
  beforeAll(async () => {
    snapshotPath = join(mkdtempSync(join(tmpdir(), 'po-sim-')), 'snapshot.json');
    sim = await startPowerOfficeSimulator({
      rateLimit: { limit: 0, windowMs: 1000 },
      tokenTtlSeconds: 0.3,
      snapshotPath,
      departments: [{ Name: 'From options' }],
    });
  });
  afterAll(async () => {
    await sim.stop();
  });

  const token = async (grant = 'client_credentials', key = sim.credentials.subscriptionKey) => {
    const basic = Buffer.from(`${sim.credentials.applicationKey}:${sim.credentials.clientKey}`).toString('base64');
    return axios.post(sim.tokenUrl, `grant_type=${grant}`, {
      headers: {
        Authorization: `Basic ${basic}`,
        'Ocp-Apim-Subscription-Key': key,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      validateStatus: () => true,
    });
  };
  /** `key: ''` sends no subscription key. */
  const get = (path: string, bearer?: string, key: string = sim.credentials.subscriptionKey) =>
    axios.get(`${sim.apiUrl}${path}`, {
      headers: {
        ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
        ...(key ? { 'Ocp-Apim-Subscription-Key': key } : {}),
      },
      validateStatus: () => true,
    });

  it('checks the grant, the subscription key and the token lifetime', async () => {
    expect((await token('password')).status).toBe(400);
    expect((await token(undefined, 'wrong')).status).toBe(401);
    const ok = await token();
    expect(ok.data).toMatchObject({ token_type: 'Bearer', expires_in: 0.3 });
    expect((await get('/Departments', ok.data.access_token)).status).toBe(200);
    expect((await get('/Departments', ok.data.access_token, '')).data.message).toMatch(/missing subscription key/);
    expect((await get('/Departments', 'made-up')).status).toBe(401);
    await new Promise((r) => setTimeout(r, 350));
    expect((await get('/Departments', ok.data.access_token)).status).toBe(401);
  });

  it('answers invalid JSON and unsupported media types as problem details', async () => {
    const t = (await token()).data.access_token;
    const headers = { Authorization: `Bearer ${t}`, 'Ocp-Apim-Subscription-Key': sim.credentials.subscriptionKey };
    const bad = await axios.post(`${sim.apiUrl}/Departments`, Buffer.from('{"Name":'), {
      headers: { ...headers, 'Content-Type': 'application/json' },
      validateStatus: () => true,
    });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ status: 400, detail: expect.stringMatching(/not valid JSON/) });
    const text = await axios.post(`${sim.apiUrl}/Departments`, 'Name=x', {
      headers: { ...headers, 'Content-Type': 'text/plain' },
      validateStatus: () => true,
    });
    expect(text.status).toBe(415);
    const viaTextJson = await axios.post(`${sim.apiUrl}/Departments`, '{"Name":"Text JSON"}', {
      headers: { ...headers, 'Content-Type': 'text/json' },
      validateStatus: () => true,
    });
    expect(viaTextJson.status).toBe(201);
  });

  it('serves the records given in the options and saves a snapshot that a new simulator loads', async () => {
    const t = (await token()).data.access_token;
    expect((await get('/Departments', t)).data.map((d: { Name: string }) => d.Name)).toContain('From options');
    expect((await axios.post(`${sim.url}/_sim/snapshot`)).status).toBe(200);
    const again = await startPowerOfficeSimulator({
      snapshotPath,
      departments: [{ Name: 'Ignored: the snapshot wins' }],
    });
    try {
      const names = (again.state.dump() as { departments: Array<{ Name: string }> }).departments.map((d) => d.Name);
      expect(names).toContain('From options');
      expect(names).not.toContain('Ignored: the snapshot wins');
    } finally {
      await again.stop();
    }
  });
});
