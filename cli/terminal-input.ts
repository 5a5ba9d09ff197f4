/** A line typed by a person at the terminal; a secret is not echoed (nor kept in readline's history). */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

export async function askLineOnTerminal(
  question: string,
  opts: { secret?: boolean; signal?: AbortSignal } = {},
): Promise<string> {
  let muted = false;
  // The prompt is written, then whatever is typed is swallowed while muted.
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true, historySize: 0 });
  try {
    const answer = rl.question(question, { signal: opts.signal });
    muted = opts.secret === true;
    return (await answer).trim();
  } finally {
    if (muted) process.stderr.write('\n');
    rl.close();
  }
}
