import {
  getPath,
  normalize,
  normalizeId,
  normalizeText,
  normalizeTimestamp,
  powerOfficeCase,
  setPath,
} from '../../flows';

describe('paths', () => {
  it('reads nested dotted paths and answers undefined past a missing step', () => {
    const contact = { company: { id: 'c-1' }, name: 'x' };
    expect(getPath(contact, 'company.id')).toBe('c-1');
    expect(getPath(contact, 'company.name')).toBeUndefined();
    expect(getPath(contact, 'name.first')).toBeUndefined();
    expect(getPath({ company: null }, 'company.id')).toBeUndefined();
  });

  it('resolves PowerOffice names ignoring case, preferring the exact key', () => {
    const employee = { EmployeeCreatedDateTimeOffset: '2024-01-01T00:00:00Z', MailAddress: { city: 'Oslo' } };
    expect(getPath(employee, 'employeeCreatedDateTimeOffset')).toBeUndefined();
    expect(getPath(employee, 'employeeCreatedDateTimeOffset', { caseInsensitive: true })).toBe('2024-01-01T00:00:00Z');
    expect(getPath(employee, 'mailAddress.City', { caseInsensitive: true })).toBe('Oslo');
    expect(getPath({ name: 'a', Name: 'b' }, 'Name', { caseInsensitive: true })).toBe('b');
  });

  it('writes to the existing key casing, or the PowerOffice casing when absent', () => {
    const opts = { caseInsensitive: true, newKeyCase: powerOfficeCase };
    const existing: Record<string, unknown> = { departmentId: 1 };
    setPath(existing, 'DepartmentId', 2, opts);
    expect(existing).toEqual({ departmentId: 2 });
    const fresh: Record<string, unknown> = {};
    setPath(fresh, 'employeeCreatedDateTimeOffset', 'x', opts);
    setPath(fresh, 'mailAddress.City', 'Oslo', opts);
    expect(fresh).toEqual({ EmployeeCreatedDateTimeOffset: 'x', MailAddress: { city: 'Oslo' } });
  });

  it('builds nested objects and refuses to write through a scalar', () => {
    const body: Record<string, unknown> = {};
    setPath(body, 'company.id', 'c-9');
    expect(body).toEqual({ company: { id: 'c-9' } });
    expect(() => setPath({ company: 'acme' }, 'company.id', 'x')).toThrow(/"company" holds a string/);
  });

  it('rejects empty and prototype segments', () => {
    expect(() => getPath({}, 'a..b')).toThrow(/empty segment/);
    expect(() => setPath({}, '__proto__.polluted', 1)).toThrow(/forbidden segment/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('normal form', () => {
  it('treats null, undefined and blank as absent', () => {
    for (const kind of ['id', 'text', 'timestamp'] as const) {
      expect(normalize(kind, null)).toBeNull();
      expect(normalize(kind, undefined)).toBeNull();
      expect(normalize(kind, '   ')).toBeNull();
    }
  });

  it('makes 123 and "123" the same id, keeps non-numeric ids as trimmed strings', () => {
    expect(normalizeId(123)).toBe(normalizeId('123'));
    expect(normalizeId(' 0123 ')).toBe('123');
    expect(normalizeId('abc-42 ')).toBe('abc-42');
    expect(normalizeId(0)).toBe('0');
  });

  it('makes the same instant in two spellings equal', () => {
    expect(normalizeTimestamp('2024-01-02T03:04:05+01:00')).toBe('2024-01-02T02:04:05.000Z');
    expect(normalizeTimestamp('2024-01-02T02:04:05.000Z')).toBe('2024-01-02T02:04:05.000Z');
    expect(normalizeTimestamp('2024-01-02T02:04:05Z')).toBe('2024-01-02T02:04:05.000Z');
    // PowerOffice sends seven fraction digits; an offset-less time is UTC, never the machine's zone.
    expect(normalizeTimestamp('2024-01-02T03:04:05.1239999+01:00')).toBe('2024-01-02T02:04:05.123Z');
    expect(normalizeTimestamp('2024-06-30T23:30:00-02:30')).toBe('2024-07-01T02:00:00.000Z');
    expect(normalizeTimestamp('2024-01-02T02:04:05')).toBe('2024-01-02T02:04:05.000Z');
  });

  it('rejects values that are not timestamps, naming them', () => {
    expect(() => normalizeTimestamp('yesterday')).toThrow(/"yesterday"/);
    expect(() => normalizeTimestamp('2024-02-30T00:00:00Z')).toThrow(/impossible/);
    expect(() => normalizeTimestamp({})).toThrow(/an object/);
  });

  it('trims text and unifies line endings', () => {
    expect(normalizeText('  Sales \r\nteam ')).toBe('Sales \nteam');
    expect(normalizeText(false)).toBe('false');
    expect(() => normalizeText(['a'])).toThrow(/an array/);
  });

  it('keeps tabs and line breaks but refuses other control characters, naming the first and where', () => {
    expect(normalizeText('a\tb\nc')).toBe('a\tb\nc');
    expect(() => normalizeText('Kari\u0007 Nord')).toThrow('contains the control character U+0007 at position 5');
    expect(() => normalizeText('x\u007f')).toThrow(/U\+007F at position 2/);
  });
});
