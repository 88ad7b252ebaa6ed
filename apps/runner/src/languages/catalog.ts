// The languages the runner knows, how to find each on the host (absolute paths under /usr only: the sandbox sees
// /usr and nothing of /root or /usr/local), and how to compile and run it inside the sandbox.
import { access, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import type { RunnerLimits } from '../types.ts';
import { runHost } from '../sandbox/host.ts';
import { CXX_FLAGS, PCH_MOUNT } from './cxx-pch.ts';
import { readJavaSource } from './java-main.ts';

export interface SourceFile {
  /** Path inside /box, as written. */
  name: string;
  content: Buffer;
  utf8: boolean;
}

export interface CommandContext {
  /** The main (first utf8) file, as written in /box. */
  main: SourceFile;
  /** The utf8 files, main first. */
  sources: SourceFile[];
  args: string[];
  /** The stage's memory limit, bytes (-1 = none): heap caps are derived from it. */
  memoryBytes: number;
  /** A precompiled <bits/stdc++.h> is at /opt/pch (cxx-pch.ts). */
  cxxPch: boolean;
}

export interface SandboxCommand {
  argv: string[];
  env?: Record<string, string>;
}

export interface CompileStep {
  command(ctx: CommandContext): SandboxCommand;
  /** The single file in /box the compile leaves for the run stage (and the compile cache). */
  artefact: string;
}

export type Detection = { version: string; check: string[] } | { reason: string; fix: string };

export interface LanguageDef {
  language: string;
  aliases: string[];
  runtime?: string;
  /** The main file gets the first one appended when it has none of them. */
  extensions: string[];
  detect(env: DetectEnv): Promise<Detection>;
  /** How the main file is named in /box (Java: after its public class). */
  mainFileName?(name: string, content: string): string;
  compile?: CompileStep;
  run(ctx: CommandContext): SandboxCommand;
  /** Defaults of this language (still capped by nothing: they are its configured limits). */
  limits?: Partial<RunnerLimits>;
}

export interface DetectEnv {
  /** Host path of the runner's Node binary as bound into the sandbox (null: could not be bound). */
  nodeBinary: string | null;
}

const MiB = 1024 * 1024;

/** A heap cap for the JVM / V8 from the stage's memory limit: half of it (the rest is code, stacks, tmpfs). */
export function heapMiB(memoryBytes: number, fallback = 1024): number {
  if (memoryBytes <= 0) return fallback;
  return Math.max(32, Math.floor(memoryBytes / 2 / MiB));
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** The version as semver (Piston's runtimes are semver): "go1.19.8" → "1.19.8", "1.3.31+ds1-1" → "1.3.31". */
export function toSemver(raw: string): string | null {
  const coerced = semver.coerce(raw.trim());
  return coerced ? coerced.version : null;
}

/** A toolchain binary at an absolute path whose real file is under /usr (what the sandbox sees). */
async function toolchain(binary: string, pkg: string): Promise<{ real: string } | { reason: string; fix: string }> {
  if (!(await exists(binary))) return { reason: `${path.basename(binary)} not found at ${binary}`, fix: `apt-get install ${pkg}` };
  const real = await realpath(binary);
  if (!real.startsWith('/usr/')) return { reason: `${binary} resolves to ${real}, outside /usr (the sandbox sees only /usr)`, fix: `apt-get install ${pkg}` };
  return { real };
}

async function versionOf(binary: string, args: string[], pkg: string, check?: string[]): Promise<Detection> {
  const found = await toolchain(binary, pkg);
  if ('reason' in found) return found;
  const result = await runHost(binary, args, { timeoutMs: 20_000 });
  const version = toSemver(`${result.stdout}\n${result.stderr}`.replace(/^\D*/, ''));
  if (result.code !== 0 || !version) return { reason: `${binary} ${args.join(' ')} failed: ${(result.stderr || result.error || '').trim().slice(0, 200)}`, fix: `apt-get install --reinstall ${pkg}` };
  return { version, check: check ?? [binary, ...args] };
}

// SerialGC: one GC thread (fewer processes, less memory); a deep stack for recursive solutions.
const jvmRunFlags = (memoryBytes: number) => [`-Xmx${heapMiB(memoryBytes, 512)}m`, '-Xss64m', '-XX:+UseSerialGC', '-Xshare:auto'];

async function javaHome(): Promise<{ home: string; version: string } | { reason: string; fix: string }> {
  const javac = await toolchain('/usr/bin/javac', 'default-jdk-headless');
  if ('reason' in javac) return javac;
  const java = await toolchain('/usr/bin/java', 'default-jdk-headless');
  if ('reason' in java) return java;
  const home = path.dirname(path.dirname(java.real));
  const release = await readFile(path.join(home, 'release'), 'utf8').catch(() => '');
  const version = toSemver(/JAVA_VERSION="([^"]+)"/.exec(release)?.[1] ?? '');
  if (!version) return { reason: `cannot read the JDK version from ${home}/release`, fix: 'apt-get install --reinstall default-jdk-headless' };
  return { home, version };
}

const nodeFlags = (memoryBytes: number) => [`--max-old-space-size=${heapMiB(memoryBytes)}`, '--stack-size=65500'];

export const LANGUAGES: LanguageDef[] = [
  {
    language: 'c',
    aliases: ['gcc'],
    runtime: 'gcc',
    extensions: ['.c'],
    detect: () => versionOf('/usr/bin/gcc', ['-dumpfullversion'], 'gcc'),
    compile: {
      artefact: 'a.out',
      command: (ctx) => ({ argv: ['/usr/bin/gcc', '-std=gnu17', '-O2', '-pipe', '-o', 'a.out', ...ctx.sources.filter((f) => f.name.endsWith('.c')).map((f) => f.name), '-lm'] }),
    },
    run: (ctx) => ({ argv: ['./a.out', ...ctx.args] }),
  },
  {
    language: 'c++',
    aliases: ['cpp', 'g++', 'cxx'],
    runtime: 'gcc',
    extensions: ['.cpp', '.cc', '.cxx', '.c++'],
    detect: () => versionOf('/usr/bin/g++', ['-dumpfullversion'], 'g++'),
    compile: {
      artefact: 'a.out',
      command: (ctx) => ({
        argv: [
          '/usr/bin/g++',
          ...CXX_FLAGS,
          '-pipe',
          ...(ctx.cxxPch ? [`-I${PCH_MOUNT}`] : []),
          '-o',
          'a.out',
          ...ctx.sources.filter((f) => /\.(cpp|cc|cxx|c\+\+)$/.test(f.name)).map((f) => f.name),
        ],
      }),
    },
    run: (ctx) => ({ argv: ['./a.out', ...ctx.args] }),
  },
  {
    language: 'java',
    aliases: [],
    extensions: ['.java'],
    async detect() {
      const jdk = await javaHome();
      if ('reason' in jdk) return jdk;
      return { version: jdk.version, check: ['/usr/bin/java', '-Xshare:auto', '-XX:+UseSerialGC', '-version'] };
    },
    mainFileName(name, content) {
      const { publicType } = readJavaSource(content);
      if (publicType) return path.posix.join(path.posix.dirname(name), `${publicType}.java`);
      return name.endsWith('.java') ? name : `${name}.java`;
    },
    compile: {
      // javac writes one .class per class: they travel to the run stage (and the cache) as one tar.
      artefact: 'classes.tar',
      command: (ctx) => ({
        argv: [
          '/bin/sh',
          '-c',
          'mkdir -p /tmp/classes && javac "$@" && tar -cf classes.tar -C /tmp/classes .',
          'javac',
          `-J-Xmx${heapMiB(ctx.memoryBytes, 512)}m`,
          '-J-XX:+UseSerialGC',
          '-J-XX:TieredStopAtLevel=1',
          '-J-Xshare:auto',
          '-encoding',
          'UTF-8',
          '-d',
          '/tmp/classes',
          ...ctx.sources.filter((f) => f.name.endsWith('.java')).map((f) => f.name),
        ],
      }),
    },
    run(ctx) {
      const info = readJavaSource(ctx.main.content.toString('utf8'));
      const mainClass = [info.packageName, info.mainType ?? 'Main'].filter(Boolean).join('.');
      return {
        argv: ['/bin/sh', '-c', 'mkdir -p /tmp/classes && tar -xf classes.tar -C /tmp/classes && exec java "$@"', 'java', ...jvmRunFlags(ctx.memoryBytes), '-cp', '/tmp/classes', mainClass, ...ctx.args],
      };
    },
  },
  {
    language: 'kotlin',
    aliases: ['kt'],
    extensions: ['.kt'],
    async detect() {
      const jdk = await javaHome();
      if ('reason' in jdk) return { reason: `kotlin needs Java: ${jdk.reason}`, fix: jdk.fix };
      const kotlinc = await toolchain('/usr/bin/kotlinc', 'kotlin');
      if ('reason' in kotlinc) return kotlinc;
      const dpkg = await runHost('dpkg-query', ['-W', '-f=${Version}', 'kotlin']);
      let version = dpkg.code === 0 ? toSemver(dpkg.stdout) : null;
      if (!version) {
        const result = await runHost('/usr/bin/kotlinc', ['-version'], { timeoutMs: 60_000 });
        version = toSemver(/kotlinc-jvm\s+(\S+)/.exec(result.stderr + result.stdout)?.[1] ?? '');
      }
      if (!version) return { reason: 'cannot read the kotlin version', fix: 'apt-get install --reinstall kotlin' };
      return { version, check: ['/bin/sh', '-c', 'test -x "$1" && exec java -Xshare:auto -XX:+UseSerialGC -version', 'sh', kotlinc.real] };
    },
    compile: {
      artefact: 'main.jar',
      command: (ctx) => ({
        argv: ['/usr/bin/kotlinc', ...ctx.sources.filter((f) => f.name.endsWith('.kt')).map((f) => f.name), '-include-runtime', '-nowarn', '-d', 'main.jar'],
        // kotlinc is a shell script that passes JAVA_OPTS to its JVM (-PrintWarnings: its own -noverify warns on 17).
        env: { JAVA_OPTS: `-Xmx${heapMiB(ctx.memoryBytes, 768)}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:-PrintWarnings` },
      }),
    },
    run: (ctx) => ({ argv: ['/usr/bin/java', ...jvmRunFlags(ctx.memoryBytes), '-jar', 'main.jar', ...ctx.args] }),
    // kotlinc is a JVM that loads a large compiler: seconds even idle, and CI runs several at once.
    limits: { compileTimeoutMs: 60_000, compileCpuTimeMs: 60_000 },
  },
  {
    language: 'go',
    aliases: ['golang'],
    extensions: ['.go'],
    async detect() {
      const go = await toolchain('/usr/bin/go', 'golang-go');
      if ('reason' in go) return go;
      const root = path.dirname(path.dirname(go.real));
      const version = toSemver((await readFile(path.join(root, 'VERSION'), 'utf8').catch(() => '')).replace(/^go/, '').split('\n')[0] ?? '');
      if (!version) return versionOf('/usr/bin/go', ['version'], 'golang-go');
      return { version, check: ['/usr/bin/go', 'version'] };
    },
    compile: {
      artefact: 'a.out',
      command: (ctx) => ({
        argv: ['/usr/bin/go', 'build', '-o', 'a.out', ...ctx.sources.filter((f) => f.name.endsWith('.go')).map((f) => f.name)],
        // Go refuses to build without a cache; a writable cache shared between candidates would let one poison
        // another's build, so each build gets an empty one in its own /tmp.
        env: { GOCACHE: '/tmp/go-cache', GOPATH: '/tmp/go', GO111MODULE: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
      }),
    },
    run: (ctx) => ({ argv: ['./a.out', ...ctx.args] }),
  },
  {
    language: 'rust',
    aliases: ['rs'],
    extensions: ['.rs'],
    // Debian's rustc only: a rustup toolchain lives under a home folder the sandbox never sees.
    detect: () => versionOf('/usr/bin/rustc', ['--version'], 'rustc'),
    compile: {
      artefact: 'a.out',
      // No debug info: std's would make hello world 11 MB (past the file size limit, and the cache's room).
      command: (ctx) => ({ argv: ['/usr/bin/rustc', '--edition', '2021', '-O', '-C', 'strip=debuginfo', '--crate-name', 'main', '-o', 'a.out', ctx.main.name] }),
    },
    run: (ctx) => ({ argv: ['./a.out', ...ctx.args] }),
  },
  {
    language: 'python',
    aliases: ['py', 'py3', 'python3'],
    extensions: ['.py'],
    detect: () => versionOf('/usr/bin/python3', ['--version'], 'python3'),
    // -E -s: no PYTHON* variables, no user site; the script's folder stays on sys.path for multi-file programs.
    run: (ctx) => ({ argv: ['/usr/bin/python3', '-E', '-s', ctx.main.name, ...ctx.args] }),
  },
  {
    language: 'javascript',
    aliases: ['js', 'node', 'node-js', 'node-javascript'],
    runtime: 'node',
    extensions: ['.js', '.mjs', '.cjs'],
    async detect(env) {
      if (!env.nodeBinary) return { reason: "the runner's Node binary could not be bound into the sandbox", fix: 'run the runner as root' };
      const version = toSemver(process.version)!;
      return { version, check: ['/opt/node/bin/node', '--version'] };
    },
    run: (ctx) => ({ argv: ['/opt/node/bin/node', ...nodeFlags(ctx.memoryBytes), ctx.main.name, ...ctx.args] }),
  },
  {
    // Debian's Node (often older than the runner's own): a second javascript version when it differs.
    language: 'javascript',
    aliases: ['js', 'node', 'node-js', 'node-javascript'],
    runtime: 'node',
    extensions: ['.js', '.mjs', '.cjs'],
    async detect() {
      const found = await versionOf('/usr/bin/node', ['--version'], 'nodejs');
      if ('version' in found && found.version === toSemver(process.version)) return { reason: "same version as the runner's Node", fix: '' };
      return found;
    },
    run: (ctx) => ({ argv: ['/usr/bin/node', ...nodeFlags(ctx.memoryBytes), ctx.main.name, ...ctx.args] }),
  },
  {
    // TypeScript by the runner's own Node (type stripping, ≥ 22.18), with transforms for enums and namespaces.
    // No type check, like the pad's in-browser runner: a run shows what the program does, not what tsc thinks.
    language: 'typescript',
    aliases: ['ts', 'node-ts', 'tsc'],
    runtime: 'node',
    extensions: ['.ts', '.mts', '.cts'],
    async detect(env) {
      const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 18)) return { reason: `TypeScript needs the runner on Node ≥ 22.18 (type stripping); it runs on ${process.version}`, fix: 'run the runner on Node 24' };
      if (!env.nodeBinary) return { reason: "the runner's Node binary could not be bound into the sandbox", fix: 'run the runner as root' };
      return { version: toSemver(process.version)!, check: ['/opt/node/bin/node', '--version'] };
    },
    run: (ctx) => ({
      argv: ['/opt/node/bin/node', '--experimental-transform-types', '--disable-warning=ExperimentalWarning', ...nodeFlags(ctx.memoryBytes), ctx.main.name, ...ctx.args],
    }),
  },
  {
    language: 'php',
    aliases: [],
    extensions: ['.php'],
    detect: () => versionOf('/usr/bin/php', ['-r', 'echo PHP_VERSION;'], 'php-cli'),
    run: (ctx) => ({ argv: ['/usr/bin/php', ctx.main.name, ...ctx.args] }),
  },
  {
    language: 'bash',
    aliases: ['sh'],
    extensions: ['.sh'],
    detect: () => versionOf('/bin/bash', ['-c', 'echo $BASH_VERSION'], 'bash'),
    run: (ctx) => ({ argv: ['/bin/bash', '--norc', '--noprofile', ctx.main.name, ...ctx.args] }),
  },
];
