/**
 * Runs `tandem` in-process as cli/main.ts does (usage errors exit 2, other errors 1), with its own
 * env and captured output, so tests never touch process.env or the real stdout.
 */
import { CommanderError } from 'commander';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, errorLine, exitCodeFor } from '../../cli/main';
import { attachRuntime } from '../../cli/context';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** For long-running commands: resolves when the command should stop (default: never). */
  stop?: Promise<void>;
  /** The working folder (where `.tandem/env` is looked for); default: an empty one, so no test reads another's settings. */
  cwd?: string;
  /** Answers confirmations; default: none (as without a terminal). */
  confirm?: (question: string) => Promise<boolean>;
  /** Answers questions for a line of text (a typed secret, a pasted code); default: none (as without a terminal). */
  ask?: (question: string, opts?: { secret?: boolean; signal?: AbortSignal }) => Promise<string>;
}

let emptyCwd: string | undefined;
function defaultCwd(): string {
  emptyCwd ??= mkdtempSync(join(tmpdir(), 'tandem-cli-cwd-'));
  return emptyCwd;
}

export async function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}

export interface RunningCli {
  done: Promise<CliResult>;
  /** Output so far. */
  out(): string;
  err(): string;
  /** Waits until stdout matches, failing with what was printed when the command ends or time runs out. */
  waitForOut(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** A long-running command: watch its output while it runs; it stops when `opts.stop` resolves. */
export function startCli(args: string[], opts: RunOptions = {}): RunningCli {
  let out = '';
  let err = '';
  let ended = false;
  const program = attachRuntime(buildProgram(), {
    env: opts.env ?? {},
    cwd: opts.cwd ?? defaultCwd(),
    confirm: opts.confirm,
    ask: opts.ask,
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    waitForStop: () => opts.stop ?? new Promise<void>(() => undefined),
  });
  const done = (async (): Promise<CliResult> => {
    let code = 0;
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (e) {
      code = exitCodeFor(e);
      if (!(e instanceof CommanderError)) err += errorLine(e, opts.env ?? {});
    }
    ended = true;
    return { code, out, err };
  })();
  return {
    done,
    out: () => out,
    err: () => err,
    async waitForOut(pattern, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(pattern);
        if (m) return m;
        if (ended || Date.now() > until)
          throw new Error(`no ${pattern} in the output of tandem ${args.join(' ')}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Env that passes config validation with the given additions (Zendesk credentials are required by every config). */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ZENDESK_BASE_URL: 'http://127.0.0.1:9/api/v2',
    ZENDESK_EMAIL: 'ops@example.com',
    ZENDESK_API_TOKEN: 'test-token',
    ...extra,
  };
}
