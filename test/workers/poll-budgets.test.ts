import { FEEDS } from '../../flows';
import { describeExcess, pollBudgetExcesses, POLL_BUDGETS } from '../../workers/poll-budgets';

const zendeskFeeds = FEEDS.filter((f) => f.system === 'zendesk').map((f) => f.id);
const defaults = { zendesk: 60, poweroffice: 30, crmoffice: 60 };

describe("poll intervals against the APIs' published budgets", () => {
  it('counts the Zendesk export feeds from the feed definitions: every 5 s is over 10 a minute', () => {
    expect(zendeskFeeds.length).toBeGreaterThan(1);
    const [excess, ...others] = pollBudgetExcesses({ ...defaults, zendesk: 5 });
    expect(others).toEqual([]);
    expect(excess).toMatchObject({
      system: 'zendesk',
      feeds: zendeskFeeds,
      everySeconds: 5,
      needed: (zendeskFeeds.length * 60) / 5,
    });
    // The shortest interval that fits, and it does fit while one second less does not.
    expect(excess.fitsSeconds).toBe(Math.ceil((zendeskFeeds.length * 60) / 10));
    expect(pollBudgetExcesses({ ...defaults, zendesk: excess.fitsSeconds })).toEqual([]);
    expect(pollBudgetExcesses({ ...defaults, zendesk: excess.fitsSeconds - 1 })).toHaveLength(1);
  });

  it('names the feeds, the requests they need and the interval that fits (three feeds every 5 s: 36 a minute, 18 s fits)', () => {
    const n = zendeskFeeds.length;
    const line = describeExcess(pollBudgetExcesses({ ...defaults, zendesk: 5 })[0]);
    expect(line).toContain(`${n} zendesk feeds`);
    expect(line).toContain(`polled every 5 s need ${n * 12} requests a minute`);
    expect(line).toContain("the budget of Zendesk's incremental exports is 10 a minute");
    expect(line).toContain(`set TANDEM_POLL_ZENDESK_SECONDS (polling.zendesk) to ${Math.ceil(n * 6)} or more`);
    for (const feed of zendeskFeeds) expect(line).toContain(feed);
  });

  it("passes the default intervals and the dev stack's, and has no budget for Crmoffice (none published)", () => {
    expect(pollBudgetExcesses(defaults)).toEqual([]);
    expect(pollBudgetExcesses({ zendesk: 60, poweroffice: 10, crmoffice: 10 })).toEqual([]);
    expect(pollBudgetExcesses({ zendesk: 60, poweroffice: 1, crmoffice: 1 })).toEqual([]);
    expect(POLL_BUDGETS.crmoffice).toBeUndefined();
  });
});
