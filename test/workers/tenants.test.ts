import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_TENANT,
  checkTenantName,
  splitTenantWorkflowId,
  tenantOfQueue,
  tenantQueue,
  tenantWorkflowId,
} from '../../protocol/tenants';
import { pairWorkflowId, pollWorkflowId } from '../../protocol/ids';
import { chooseTenant, listTenants, tenantConfig, tenantStoreUrl } from '../../workers/tenants';
import { selectSchedules } from '../../workers/schedules';

const C1 = 'zendesk-ticketcomments-to-crmoffice-activities';

function accounts(prefix: string): Record<string, string> {
  return {
    ZENDESK_BASE_URL: `https://${prefix}.zendesk.example`,
    ZENDESK_EMAIL: `ops@${prefix}.example`,
    ZENDESK_API_TOKEN: `${prefix}-zendesk-token`,
  };
}

function tenantsFolder(files: Record<string, Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tenants-'));
  for (const [name, settings] of Object.entries(files))
    writeFileSync(
      join(dir, name),
      Object.entries(settings)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
  return dir;
}

describe('tenant names, queues and ids', () => {
  it('leaves the default tenant with the names it had before tenants, and gives the others their own', () => {
    expect(tenantQueue('tandem', DEFAULT_TENANT)).toBe('tandem');
    expect(tenantQueue('poweroffice', 'acme')).toBe('poweroffice@acme');
    expect(tenantOfQueue('poweroffice@acme')).toBe('acme');
    expect(tenantOfQueue('tandem')).toBe(DEFAULT_TENANT);
    expect(pollWorkflowId('zendesk/users', DEFAULT_TENANT)).toBe('poll/zendesk/users');
    expect(pollWorkflowId('zendesk/users', 'acme')).toBe('acme:poll/zendesk/users');
    expect(pairWorkflowId({ flowId: C1, zendeskId: '12:34' }, 'acme')).toBe('acme:zendesk/tickets/12');
  });

  it("names a tenant's schedules by their id with or without the tenant, by feed, or by flow", () => {
    const intervals = { zendesk: 60, poweroffice: 30, crmoffice: 60 };
    for (const which of ['poll/zendesk/users', 'acme:poll/zendesk/users', 'zendesk/users'])
      expect(selectSchedules(intervals, which, 'acme')).toEqual(['acme:poll/zendesk/users']);
    expect(selectSchedules(intervals, 'zendesk-users-to-powerofficego-employees', 'acme').sort()).toEqual([
      'acme:poll/poweroffice/employees',
      'acme:poll/zendesk/users',
    ]);
    expect(() => selectSchedules(intervals, 'beta:poll/zendesk/users', 'acme')).toThrow(/no schedule matches/);
  });

  it('reads the tenant back from every id, a comment pair id (with its colon) included', () => {
    for (const id of ['zendesk/users/7', `${C1}/12:34`, 'poll/zendesk/users', 'comments/12'])
      for (const tenant of [DEFAULT_TENANT, 'acme', 'b-2'])
        expect(splitTenantWorkflowId(tenantWorkflowId(id, tenant))).toEqual({ tenant, id });
  });

  it('refuses a name that would not make a queue, an id or a file name', () => {
    expect(checkTenantName('acme-as')).toBe('acme-as');
    for (const bad of ['Acme', '1acme', 'a_b', 'a:b', 'a/b', '', 'x'.repeat(41)])
      expect(() => checkTenantName(bad)).toThrow(/tenant name .* is not valid/);
  });
});

describe('the tenants of an installation', () => {
  it('has only the default tenant when there is no tenant file, whatever its settings', () => {
    const dir = tenantsFolder({});
    expect(listTenants(dir, { env: {} }).map((t) => t.name)).toEqual([DEFAULT_TENANT]);
    expect(listTenants(join(dir, 'absent'), { env: {} }).map((t) => t.name)).toEqual([DEFAULT_TENANT]);
  });

  it('lists each file as a tenant, and the default one only when the installation names a Zendesk of its own', () => {
    const dir = tenantsFolder({
      'beta.env': accounts('beta'),
      'acme.env': { ...accounts('acme'), TANDEM_TENANT_DISABLED: 'true' },
      'notes.txt': {},
    });
    expect(listTenants(dir, { env: {} }).map((t) => [t.name, t.disabled])).toEqual([
      ['acme', true],
      ['beta', false],
    ]);
    expect(listTenants(dir, { env: accounts('own') }).map((t) => t.name)).toEqual([DEFAULT_TENANT, 'acme', 'beta']);
  });

  it("refuses a file that sets what is not a tenant's, naming the file and the setting", () => {
    const dir = tenantsFolder({ 'acme.env': { ...accounts('acme'), TEMPORAL_ADDRESS: 'elsewhere:7233' } });
    expect(() => listTenants(dir, { env: {} })).toThrow(/acme\.env: TEMPORAL_ADDRESS is not a tenant's setting/);
    const reserved = tenantsFolder({ 'default.env': accounts('x') });
    expect(() => listTenants(reserved, { env: {} })).toThrow(/"default" is the installation's own tenant/);
  });

  it('chooses the named tenant, the only one, or says which there are', () => {
    const dir = tenantsFolder({ 'acme.env': accounts('acme'), 'beta.env': accounts('beta') });
    const tenants = listTenants(dir, { env: {} });
    expect(chooseTenant(tenants, 'beta').name).toBe('beta');
    expect(() => chooseTenant(tenants, undefined)).toThrow(/serves 2 tenants \(acme, beta\): name one with --tenant/);
    expect(() => chooseTenant(tenants, 'gamma')).toThrow(
      /no tenant "gamma" in this installation \(tenants: acme, beta\)/,
    );
    expect(chooseTenant(tenants.slice(1), undefined).name).toBe('beta');
  });

  it("never lends a tenant the installation's own accounts: a setting its file lacks is missing, not inherited", () => {
    const dir = tenantsFolder({ 'acme.env': { ZENDESK_BASE_URL: 'https://acme.zendesk.example' } });
    const [own, acme] = listTenants(dir, { env: { ...accounts('own'), TANDEM_STORE: '/var/lib/tandem/tandem.db' } });
    const installation = {
      env: { ...accounts('own'), TANDEM_STORE: '/var/lib/tandem/tandem.db', TEMPORAL_ADDRESS: 'temporal:7233' },
    };
    expect(tenantConfig(own, ['zendesk'], installation).zendesk.baseUrl).toBe('https://own.zendesk.example');
    let message = '';
    try {
      tenantConfig(acme, ['zendesk'], installation);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/tenant acme: ZENDESK_API_TOKEN .*is required/);
    expect(message).not.toContain('own-zendesk-token');
    const full = { ...acme, settings: accounts('acme') };
    const config = tenantConfig(full, ['zendesk', 'temporal', 'store'], installation);
    expect(config.zendesk).toMatchObject({ baseUrl: 'https://acme.zendesk.example', apiToken: 'acme-zendesk-token' });
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.store.url).toBe('/var/lib/tandem/tandem.acme.db');
  });

  it("keeps a tenant's account settings out of what it takes from the config file", () => {
    const dir = tenantsFolder({ 'acme.env': accounts('acme') });
    const file = join(dir, 'tandem.yaml');
    writeFileSync(
      file,
      'zendesk:\n  baseUrl: https://own.zendesk.example\npolling:\n  zendesk: 600\ntemporal:\n  namespace: tandem\n',
    );
    const [acme] = listTenants(dir, { env: {}, file }).filter((t) => t.name === 'acme');
    const config = tenantConfig(acme, ['zendesk', 'polling', 'temporal'], { env: {}, file });
    expect(config.zendesk.baseUrl).toBe('https://acme.zendesk.example');
    expect(config.polling.zendesk).toBe(60);
    expect(config.temporal.namespace).toBe('tandem');
  });

  it("gives each tenant a link store of its own beside the installation's", () => {
    expect(tenantStoreUrl('.tandem/tandem.db', DEFAULT_TENANT)).toBe('.tandem/tandem.db');
    expect(tenantStoreUrl('.tandem/tandem.db', 'acme')).toBe('.tandem/tandem.acme.db');
    expect(tenantStoreUrl('sqlite:/data/links', 'acme')).toBe('/data/links.acme.db');
    expect(tenantStoreUrl('postgres://tandem:pw@db:5432/tandem', 'acme-as')).toBe(
      'postgres://tandem:pw@db:5432/tandem?options=-c+search_path%3Dtandem_acme_as',
    );
  });
});
