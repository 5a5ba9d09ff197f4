import { idleHour, type IdlePoll } from '../../bench/idle-poll';
import { FEEDS } from '../../flows/feeds';

const quiet = (requests: number, workflowsStarted: number): Record<string, IdlePoll> =>
  Object.fromEntries(FEEDS.map((f) => [f.id, { requests, workflowsStarted, ms: 100 }]));

describe('idleHour', () => {
  const intervals = { zendesk: 60, poweroffice: 30, crmoffice: 60 };
  const perHour = (system: string, seconds: number) =>
    FEEDS.filter((f) => f.system === system).length * (3600 / seconds);
  const polls = perHour('zendesk', 60) + perHour('poweroffice', 30) + perHour('crmoffice', 60);

  it("counts one poll workflow per feed and interval, each costing what that feed's idle poll cost", () => {
    expect(idleHour(quiet(1, 0), intervals)).toEqual({ pollWorkflows: polls, recordWorkflows: 0, requests: polls });
  });

  it('multiplies a workflow an idle poll started by the polls of the hour', () => {
    const idle = quiet(1, 0);
    idle['poweroffice/employees'] = { requests: 2, workflowsStarted: 1, ms: 100 };
    expect(idleHour(idle, intervals)).toEqual({ pollWorkflows: polls, recordWorkflows: 120, requests: polls + 120 });
  });
});
