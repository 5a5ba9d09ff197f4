import { loadOpenApi, OpenApiValidator, apiSpec } from './openapi';

const PO = apiSpec('powerofficego-v2.openapi.yaml');
const ZD = apiSpec('zendesk-support.openapi.yaml');

const department = {
  Id: 17,
  Code: null,
  Name: 'Sales',
  IsActive: true,
  CreatedDateTimeOffset: '2025-01-02T03:04:05.678Z',
  LastChangedDateTimeOffset: '2025-01-02T03:04:05.678Z',
  ManagerEmployeeId: null,
};

describe('loadOpenApi', () => {
  let po: OpenApiValidator;
  beforeAll(() => {
    const started = Date.now();
    po = loadOpenApi(PO);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('accepts a valid PowerOffice answer, nullable fields included', () => {
    expect(po.validateResponse('GET', '/Departments', 200, [department])).toEqual([]);
    expect(po.validateResponse('post', '/Departments', 201, department)).toEqual([]);
  });

  it('names the problems of an invalid answer', () => {
    const problems = po.validateResponse('GET', '/Departments', 200, [
      { ...department, Id: 'x', Extra: 1 },
      { ...department, Name: 5 },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/0/Id'),
        expect.stringContaining('`Extra`'),
        expect.stringContaining('/1/Name'),
      ]),
    );
    expect(po.validateResponse('GET', '/Departments', 200, { items: [] })).not.toEqual([]);
  });

  it('checks formats of date-time fields', () => {
    expect(
      po.validateResponse('POST', '/Departments', 201, { ...department, CreatedDateTimeOffset: 'yesterday' }),
    ).toEqual([expect.stringContaining('/CreatedDateTimeOffset')]);
  });

  it('resolves nested $refs (employee with a mail address)', () => {
    const employee = { Id: 1, FirstName: 'Kari', LastName: 'Nordmann', MailAddress: { City: 'Oslo', ZipCode: '0150' } };
    expect(po.validateResponse('POST', '/Employees', 201, employee)).toEqual([]);
    expect(po.validateResponse('POST', '/Employees', 201, { ...employee, MailAddress: { City: 7 } })).toEqual([
      expect.stringContaining('/MailAddress/City'),
    ]);
  });

  it('matches a concrete path to its template and validates a component schema by name', () => {
    expect(po.validateResponse('DELETE', '/Departments/17', 409, { Title: 'x', Detail: 'in use' })).toEqual([]);
    expect(po.validateSchema('DepartmentDto', department)).toEqual([]);
    expect(po.validateSchema('DepartmentDto', { ...department, Id: null })).not.toEqual([]);
  });

  it('reports answers declared without a body schema, and throws for unknown operations or statuses', () => {
    expect(po.hasResponseSchema('GET', '/Departments/{id}', 200)).toBe(false);
    expect(po.hasResponseSchema('GET', '/Departments', 200)).toBe(true);
    expect(() => po.validateResponse('PUT', '/Departments', 200, {})).toThrow(/no operation PUT \/Departments/);
    expect(() => po.validateResponse('GET', '/Departments', 418, {})).toThrow(/declares no 418/);
    expect(() => po.validateResponse('GET', '/Nowhere', 200, {})).toThrow(/no path \/Nowhere/);
  });

  it('loads the Zendesk document (with its `change: =` values) and validates against it', () => {
    const zd = loadOpenApi(ZD);
    expect(
      zd.validateResponse('GET', '/api/v2/users/{user_id}', 200, {
        user: { id: 1, name: 'Ann', email: 'a@example.com' },
      }),
    ).toEqual([]);
    expect(
      zd.validateResponse('GET', '/api/v2/users/{user_id}', 200, { user: { id: 'one', name: 'Ann' } }),
    ).not.toEqual([]);
  });
});
