// A precompiled <bits/stdc++.h> for C++ compiles. Competitive-programming habit makes it the first line of many
// candidates' C++; parsing it costs ~1.5 s of every compile here, the precompiled header ~0.1 s.
//
// Built once per machine (per g++ version and flags) by the host from the system's own header — no candidate
// input — into the compile cache folder, then bind-mounted read-only at /opt/pch in the sandbox. The C++ compile
// adds `-I/opt/pch`: g++ looks for `bits/stdc++.h.gch` there first and uses it when it matches the flags; any other
// case (another header first, other flags) falls through to the real header.
import { createHash } from 'node:crypto';
import { access, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { runHost } from '../sandbox/host.ts';

/** The flags of the C++ compile (catalog.ts): a precompiled header is only used with the same ones. */
export const CXX_FLAGS = ['-std=gnu++17', '-O2'];
export const PCH_MOUNT = '/opt/pch';

async function exists(p: string) {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** The folder holding bits/stdc++.h.gch (built if missing), or null with the reason logged. */
export async function ensureCxxPch(cacheDir: string, log: (line: string) => void, signal?: AbortSignal): Promise<string | null> {
  const version = (await runHost('/usr/bin/g++', ['-dumpfullversion'])).stdout.trim();
  const multiarch = (await runHost('/usr/bin/g++', ['-print-multiarch'])).stdout.trim();
  const major = version.split('.')[0];
  const candidates = [`/usr/include/${multiarch}/c++/${major}/bits/stdc++.h`, `/usr/include/c++/${major}/bits/stdc++.h`];
  let header: string | null = null;
  for (const c of candidates) if (await exists(c)) header ??= c;
  if (!version || !header) {
    log('runner: no <bits/stdc++.h> found for g++: C++ compiles without a precompiled header');
    return null;
  }
  const s = await stat(header);
  const key = createHash('sha256').update(JSON.stringify([version, header, s.size, s.mtimeMs, CXX_FLAGS])).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir, `pch-${key}`);
  const file = path.join(dir, 'bits', 'stdc++.h.gch');
  if (await exists(file)) return dir;
  await mkdir(path.join(dir, 'bits'), { recursive: true, mode: 0o755 });
  const tmp = `${file}.${process.pid}.tmp`;
  const started = Date.now();
  // nice: the build (seconds of CPU) must not slow the jobs running meanwhile.
  const result = await runHost('/usr/bin/nice', ['-n', '10', '/usr/bin/g++', ...CXX_FLAGS, '-x', 'c++-header', header, '-o', tmp], { timeoutMs: 300_000, signal });
  if (result.code !== 0) {
    await unlink(tmp).catch(() => {});
    if (!signal?.aborted) log(`runner: building the C++ precompiled header failed: ${(result.stderr || result.error || '').trim().slice(0, 300)}`);
    return null;
  }
  await rename(tmp, file);
  log(`runner: C++ precompiled <bits/stdc++.h> built in ${Date.now() - started} ms`);
  return dir;
}
