/** `npm run worker` runs the worker with the flags its memory figures were measured with. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags';

test('the worker script passes WORKER_NODE_FLAGS to node, before the CLI', () => {
  const scripts = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).scripts as Record<
    string,
    string
  >;
  expect(scripts.worker).toContain(`node ${WORKER_NODE_FLAGS.join(' ')} dist/cli/main.js worker`);
});
