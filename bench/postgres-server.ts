/**
 * A throwaway PostgreSQL server for the tests and `npm run bench -- --store postgres`: initdb into a
 * temp folder, started on a free 127.0.0.1 port with fsync off, stopped and deleted by `stop()`. As
 * root (CI containers) it runs as the `postgres` user, since initdb refuses root. `findPostgresBin()` is undefined when PostgreSQL is not
 * installed: the test suites then fail, saying what to install (a local run may skip them: TANDEM_TEST_SKIP).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../workers/free-port';

const run = promisify(execFile);

export interface PostgresServer {
  port: number;
  /** The superuser's password (password auth over TCP, so URLs carry it as in production). */
  password: string;
  /** A URL for `database` on this server, with user and password. */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

/** The folder holding initdb and pg_ctl: on the PATH, else the newest /usr/lib/postgresql/<n>/bin. */
export function findPostgresBin(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

const USER = 'tandem';
let databases = 0;

/**
 * `durable` keeps PostgreSQL's defaults (every commit flushed to disk, as a production server runs);
 * otherwise commits skip the flush, which a throwaway test server can afford.
 */
export async function startPostgres(
  bin = findPostgresBin(),
  opts: { durable?: boolean } = {},
): Promise<PostgresServer> {
  if (!bin)
    throw new Error('PostgreSQL is not installed (no initdb/pg_ctl on the PATH or in /usr/lib/postgresql/*/bin)');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const asRoot = process.getuid?.() === 0;
  // initdb refuses root: hand the folder to the postgres user and run the tools as it.
  const owner = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
        gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
      }
    : undefined;
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args);
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password, { mode: 0o600 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  let port = 0;
  try {
    await tool('initdb', [
      '-D',
      data,
      '-U',
      USER,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    // A port free a moment ago may be taken by another suite meanwhile: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options =
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}` +
        (opts.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off');
      try {
        await tool('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start']);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  } catch (err) {
    const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start PostgreSQL from ${bin}: ${(err as Error).message}\n${log}`);
  }

  const url = (database = 'postgres') => `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    port,
    password,
    url,
    async createDatabase(name = `tandem_${process.pid}_${++databases}`) {
      const admin = new Client({ connectionString: url() });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await tool('pg_ctl', ['-D', data, 'stop', '-m', 'immediate']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
