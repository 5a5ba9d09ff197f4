import { flowCodes, resolveFlowName, suggestFlowNames } from '../../cli/flow-names';
import { FLOW_IDS } from '../../flows';
import { runCli } from './run-cli';

describe('short flow names', () => {
  it('has one code per flow, from the definitions', () => {
    expect([...flowCodes().keys()].sort()).toEqual(['P1', 'P2', 'Z1', 'Z2', 'Z3', 'Z3b']);
    expect(new Set(flowCodes().values()).size).toBe(FLOW_IDS.length);
  });

  it('resolves codes in any case and full ids', () => {
    expect(resolveFlowName('p2')).toBe('zendesk-users-to-powerofficego-employees');
    expect(resolveFlowName('Z3B')).toBe('zendesk-organizations-to-crmoffice-companies');
    expect(resolveFlowName('zendesk-users-to-crmoffice-contacts')).toBe('zendesk-users-to-crmoffice-contacts');
    expect(resolveFlowName('P9')).toBeUndefined();
  });

  it('suggests near names for a typo', () => {
    expect(suggestFlowNames('P3')).toEqual(expect.arrayContaining(['P1', 'P2']));
    expect(suggestFlowNames('zendesk-users-to-powerofficego-employee')[0]).toBe(
      'zendesk-users-to-powerofficego-employees',
    );
  });

  it('explain takes a code, prints JSON, and refuses a typo with "did you mean" (exit 2)', async () => {
    const ok = await runCli(['explain', 'P2']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('id:        zendesk-users-to-powerofficego-employees');
    const json = await runCli(['explain', 'z3b', '--output', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ id: 'zendesk-organizations-to-crmoffice-companies', code: 'Z3b' });
    const typo = await runCli(['explain', 'Z4']);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/unknown flow id "Z4"; did you mean Z\d/);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
