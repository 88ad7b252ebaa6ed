/**
 * Packs `@pairview/wecom` and `@pairview/wecom-emulator` into npm tarballs that run from `node_modules`.
 *
 * The repository runs its `.ts` sources directly (docs/decisions/0003), but Node refuses to strip types under
 * `node_modules`, so a published package must ship JavaScript. For each package this script stages a copy:
 * `tsc` (TypeScript 7) emits `src/**\/*.js` + `.d.ts` beside each other in the same layout as the sources, so
 * `new URL('../data/…', import.meta.url)` and `import … from '../data/x.json' with { type: 'json' }` still find
 * their files; the run-time assets (data/, public/, README) are copied; the bin shims are rewritten to import the
 * `.js`; and package.json is rewritten to point at the emitted files, without devDependencies and scripts. Then
 * `npm pack` runs in the staging folder.
 *
 * Usage: node scripts/pack.ts [--out DIR]   (default dist-packages/; prints one tarball path per line)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackageSpec {
  /** Folder under packages/. */
  dir: string;
  /** Run-time files and folders copied as they are (besides the emitted src/ and bin/). */
  assets: string[];
  /** Packages packed earlier in this run, mapped for the type-check to their staged `.d.ts` (not their sources). */
  uses: string[];
}

// Order matters: the emulator depends on the SDK and type-checks against the SDK's emitted declarations.
const packages: PackageSpec[] = [
  { dir: 'wecom', assets: ['data', 'README.md'], uses: [] },
  { dir: 'wecom-emulator', assets: ['data', 'public', 'README.md'], uses: ['wecom'] },
];

type Exports = Record<string, string>;
type PublishedExports = Record<string, string | { types: string; default: string }>;

interface PackageJson {
  name: string;
  version: string;
  exports: Exports | PublishedExports;
  bin?: Record<string, string>;
  files?: string[];
  scripts?: unknown;
  devDependencies?: unknown;
  types?: string;
  [key: string]: unknown;
}

/** `./src/x/index.ts` → `./src/x/index.js` (or `.d.ts` for types). Other entries (./package.json) pass through. */
function emitted(entry: string, ext: '.js' | '.d.ts'): string {
  return entry.endsWith('.ts') ? entry.slice(0, -'.ts'.length) + ext : entry;
}

function publishedExports(exports: Exports): PublishedExports {
  return Object.fromEntries(
    Object.entries(exports).map(([key, entry]) => [
      key,
      entry.endsWith('.ts') ? { types: emitted(entry, '.d.ts'), default: emitted(entry, '.js') } : entry,
    ]),
  );
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Emits JavaScript and declarations for one package's src/ into `stage`, keeping the src/ layout. */
function emit(spec: PackageSpec, stage: string, staged: Map<string, { name: string; stage: string; exports: Exports }>): void {
  const pkgDir = path.join(root, 'packages', spec.dir);
  // Resolve sibling packages to their emitted declarations, so this compilation neither re-emits their sources
  // nor depends on the workspace symlinks.
  const paths: Record<string, string[]> = {};
  for (const used of spec.uses) {
    const dep = staged.get(used);
    if (!dep) throw new Error(`pack: ${spec.dir} needs ${used} packed first`);
    for (const [key, entry] of Object.entries(dep.exports)) {
      if (!entry.endsWith('.ts')) continue;
      paths[key === '.' ? dep.name : `${dep.name}/${key.slice(2)}`] = [path.join(dep.stage, emitted(entry, '.d.ts'))];
    }
  }
  const tsconfig = path.join(stage, 'tsconfig.emit.json');
  writeJson(tsconfig, {
    extends: path.join(root, 'tsconfig.json'),
    compilerOptions: {
      noEmit: false,
      declaration: true,
      // .ts import specifiers become .js in the emitted JavaScript and declarations.
      rewriteRelativeImportExtensions: true,
      rootDir: pkgDir,
      outDir: stage,
      // The repository's tsconfig includes the DOM libs for the web app; the packages are Node-only.
      lib: ['es2024'],
      // This tsconfig lives in a temporary folder; look up @types from the repository.
      typeRoots: [path.join(root, 'node_modules', '@types')],
      paths,
    },
    include: [path.join(pkgDir, 'src')],
    // Tests and the vitest-based store contract are not shipped.
    exclude: [path.join(pkgDir, 'src/**/*.test.ts'), path.join(pkgDir, 'src/**/*.contract.ts')],
  });
  execFileSync(process.execPath, [tsc, '-p', tsconfig], { cwd: root, stdio: 'inherit' });
  rmSync(tsconfig);
  rewriteDeclarationImports(path.join(stage, 'src'));
}

/**
 * TypeScript 7 rewrites `.ts` specifiers in the emitted JavaScript but leaves them in declaration files; a
 * consumer's compiler (older ones especially) should see `./x.js`, which resolves to the `./x.d.ts` beside it.
 */
export function rewriteDeclarationImports(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(/((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2');
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

/** The bin shims import `../src/….ts`; installed, they must import the emitted `.js`. */
function stageBin(pkgDir: string, stage: string): void {
  const binDir = path.join(pkgDir, 'bin');
  if (!existsSync(binDir)) return;
  mkdirSync(path.join(stage, 'bin'));
  for (const name of readdirSync(binDir)) {
    const source = readFileSync(path.join(binDir, name), 'utf8');
    const rewritten = source
      .replace(/(from\s+'\.\.\/src\/[^']+)\.ts'/g, "$1.js'")
      .replace(/Node 24 runs the TypeScript sources directly \(type stripping\), so this shim only(\n\/\/)? imports them/, 'This shim imports the compiled sources');
    if (/\.ts'/.test(rewritten)) throw new Error(`pack: bin/${name} still imports a .ts file after rewriting`);
    writeFileSync(path.join(stage, 'bin', name), rewritten, { mode: 0o755 });
  }
}

/** The repository's package.json, pointed at the emitted files; `files` stays (src/ now holds only .js + .d.ts). */
function publishedPackageJson(pkg: PackageJson & { exports: Exports }): PackageJson {
  const { scripts: _scripts, devDependencies: _dev, ...kept } = pkg;
  const main = pkg.exports['.'];
  return {
    ...kept,
    ...(main?.endsWith('.ts') ? { types: emitted(main, '.d.ts') } : {}),
    exports: publishedExports(pkg.exports),
  };
}

export function packPackages(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'pairview-pack-'));
  const staged = new Map<string, { name: string; stage: string; exports: Exports }>();
  const tarballs: string[] = [];
  try {
    for (const spec of packages) {
      const pkgDir = path.join(root, 'packages', spec.dir);
      const pkg = readJson<PackageJson & { exports: Exports }>(path.join(pkgDir, 'package.json'));
      const stage = path.join(work, spec.dir);
      mkdirSync(stage);
      emit(spec, stage, staged);
      for (const asset of spec.assets) cpSync(path.join(pkgDir, asset), path.join(stage, asset), { recursive: true });
      stageBin(pkgDir, stage);
      writeJson(path.join(stage, 'package.json'), publishedPackageJson(pkg));
      staged.set(spec.dir, { name: pkg.name, stage, exports: pkg.exports });

      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' });
      const [{ filename }] = JSON.parse(out) as [{ filename: string }];
      tarballs.push(path.join(outDir, filename));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tarballs;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist-packages' } } });
  for (const tarball of packPackages(path.resolve(values.out))) console.log(tarball);
}
