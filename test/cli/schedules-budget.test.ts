/** `tandem schedules apply` warns of intervals over an API's budget (refuses them with --strict) before it reaches Temporal. */
import { FEEDS } from '../../flows';
import { baseEnv, runCli } from './run-cli';

const zendeskFeeds = FEEDS.filter((f) => f.system === 'zendesk').length;

describe("tandem schedules apply and the APIs' budgets", () => {
  // Port 9 (discard): nothing listens, so reaching Temporal would fail with another message.
  const env = baseEnv({ TEMPORAL_ADDRESS: '127.0.0.1:9' });

  it('with --strict refuses Zendesk feeds polled every 5 s, naming the interval that fits, and sets nothing', async () => {
    const r = await runCli(['schedules', 'apply', '--strict'], { env: { ...env, TANDEM_POLL_ZENDESK_SECONDS: '5' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`need ${(zendeskFeeds * 60) / 5} requests a minute`);
    expect(r.err).toContain(
      `TANDEM_POLL_ZENDESK_SECONDS (polling.zendesk) to ${Math.ceil((zendeskFeeds * 60) / 10)} or more`,
    );
    expect(r.err).toContain('--strict');
    expect(r.err).not.toContain('cannot reach Temporal');
    expect(r.out).toBe('');
  });

  it('without --strict warns, naming the interval that fits, and goes on to apply (here: to a Temporal that is not there)', async () => {
    const r = await runCli(['schedules', 'apply'], { env: { ...env, TANDEM_POLL_ZENDESK_SECONDS: '5' } });
    expect(r.err).toContain(
      `TANDEM_POLL_ZENDESK_SECONDS (polling.zendesk) to ${Math.ceil((zendeskFeeds * 60) / 10)} or more`,
    );
    expect(r.err).toMatch(/^warning: .*need \d+ requests a minute/m);
    expect(r.err).toContain('cannot reach Temporal at 127.0.0.1:9');
    expect(r.code).toBe(1);
  });

  it('does not warn at the default intervals', async () => {
    const r = await runCli(['schedules', 'apply'], { env });
    expect(r.err).not.toContain('warning:');
    expect(r.err).toContain('cannot reach Temporal');
  });
});
