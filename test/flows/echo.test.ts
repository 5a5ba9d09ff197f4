/** Echoes of Tandem's own Zendesk writes: what a webhook event reports, and when a pair has it already. */
import { echoOf } from '../../flows/echo';
import { getFlow } from '../../flows/registry';
import { ZendeskWebhookEvent, reportedValueOfEvent } from '../../connectors/zendesk/webhooks';

const P2 = getFlow('zendesk-users-to-powerofficego-employees');
const P1 = getFlow('zendesk-organizations-to-powerofficego-departments');
const ORG_ROW = 'organization_id->DepartmentId';

const event = (type: string, detail: object, change: object = {}) =>
  ZendeskWebhookEvent.parse({
    id: 'e-1',
    type: `zen:event-type:${type}`,
    subject: 'zen:user:42',
    time: '2026-12-06T10:00:00Z',
    account_id: 1,
    detail: { id: '42', ...detail },
    event: change,
  });

describe('reportedValueOfEvent', () => {
  test('a membership event reports the user\'s organization from its detail; "0" is none', () => {
    expect(
      reportedValueOfEvent(
        event('user.organization_membership_created', { organization_id: '7' }, { current: { id: '7' } }),
      ),
    ).toEqual({ field: 'organization_id', value: '7' });
    expect(
      reportedValueOfEvent(
        event('user.organization_membership_deleted', { organization_id: '0' }, { previous: { id: '7' } }),
      ),
    ).toEqual({ field: 'organization_id', value: null });
  });

  test('a name change reports the new name; an event that names no value reports nothing', () => {
    expect(
      reportedValueOfEvent(event('organization.name_changed', {}, { previous: 'Old AS', current: 'New AS' })),
    ).toEqual({ field: 'name', value: 'New AS' });
    expect(reportedValueOfEvent(event('user.created', { organization_id: '7' }))).toBeUndefined();
    expect(reportedValueOfEvent(event('user.organization_membership_created', {}))).toBeUndefined();
    expect(
      reportedValueOfEvent(event('user.role_changed', { role: 'agent' }, { previous: 'end-user', current: 'agent' })),
    ).toBeUndefined();
  });
});

describe('echoOf', () => {
  test('every reported value held by the base: an echo, said in words', () => {
    expect(echoOf(P2, { [ORG_ROW]: '7' }, [{ field: 'organization_id', value: '7' }])).toMatch(
      /`organization_id` 7.*nothing to sync/,
    );
    expect(echoOf(P2, { [ORG_ROW]: null }, [{ field: 'organization_id', value: null }])).not.toBeNull();
    expect(echoOf(P1, { 'name->Name': 'Fjord AS' }, [{ field: 'name', value: ' Fjord AS ' }])).not.toBeNull();
  });

  test('a value the base does not hold, a field the flow has no row for, no base or no report: sync', () => {
    expect(
      echoOf(P2, { [ORG_ROW]: '7' }, [
        { field: 'organization_id', value: '7' },
        { field: 'organization_id', value: '8' },
      ]),
    ).toBeNull();
    expect(echoOf(P2, { [ORG_ROW]: '7' }, [{ field: 'name', value: 'Ada' }])).toBeNull();
    expect(echoOf(P2, null, [{ field: 'organization_id', value: '7' }])).toBeNull();
    expect(echoOf(P2, { [ORG_ROW]: '7' }, [])).toBeNull();
  });
});
