/** Why a sync shows no progress, named by its cause. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { whyNoProgress } from '../../cli/sync-diagnosis';

function fakes(pendingActivities: unknown[], pollers: unknown[]) {
  const handle = { describe: async () => ({ raw: { pendingActivities } }) } as unknown as WorkflowHandle;
  const client = { workflowService: { describeTaskQueue: async () => ({ pollers }) } } as unknown as Client;
  return { handle, client };
}
const opts = { namespace: 'default', taskQueue: 'tandem' };

describe('whyNoProgress', () => {
  it('an API outage: names the retrying activity and the API answer, not the worker', async () => {
    const { handle, client } = fakes(
      [
        {
          activityType: { name: 'pollPage' },
          attempt: 4,
          lastFailure: { message: 'PowerOffice Go answered 500 on GET /Employees' },
        },
      ],
      [{ identity: 'w1' }],
    );
    const why = await whyNoProgress(client, handle, opts);
    expect(why).toBe(
      'no page done yet: pollPage is retrying (attempt 4) after: PowerOffice Go answered 500 on GET /Employees',
    );
    expect(why).not.toMatch(/worker/);
  });

  it('no worker: says so, with the task queue and the command', async () => {
    const { handle, client } = fakes([], []);
    expect(await whyNoProgress(client, handle, opts)).toBe(
      'no page done yet: no worker polls task queue tandem (start one with `tandem worker`)',
    );
  });
});
