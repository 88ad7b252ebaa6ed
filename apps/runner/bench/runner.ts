// Benchmark of the code runner on this machine (npm run bench -w @pairview/runner):
//   per language: the first (cold) run, then p50/p99 of hello world run one after another, and runs/s with as
//   many clients as the runner runs jobs at once (compiled languages hit the compile cache after the first run);
//   the runner's overhead: the same hello world run directly (spawned by Node, no sandbox) vs through the runner
//   (HTTP + uid + tmpfs + cgroup + bwrap + seccomp), for Python and JavaScript.
// Options (env): BENCH_RUNS (sequential runs per language, default 20), BENCH_LANGUAGES (comma list).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPistonClient, startRunner } from '../src/index.ts';
import type { ExecuteRequest } from '../src/index.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CONCURRENT_RUNS = RUNS;

const HELLO: Record<string, [string, string]> = {
  c: ['main.c', '#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n'],
  'c++': ['main.cpp', '#include <iostream>\nint main() { std::cout << "hello, world" << std::endl; }\n'],
  // Measured as a second line for C++: the competitive-programming header (precompiled by the runner).
  'c++ <bits/stdc++.h>': ['main.cpp', '#include <bits/stdc++.h>\nint main() { std::cout << "hello, world" << std::endl; }\n'],
  java: ['Main.java', 'public class Main { public static void main(String[] a) { System.out.println("hello, world"); } }\n'],
  kotlin: ['main.kt', 'fun main() { println("hello, world") }\n'],
  go: ['main.go', 'package main\nimport "fmt"\nfunc main() { fmt.Println("hello, world") }\n'],
  rust: ['main.rs', 'fn main() { println!("hello, world"); }\n'],
  python: ['main.py', 'print("hello, world")\n'],
  javascript: ['main.js', 'console.log("hello, world");\n'],
  typescript: ['main.ts', 'const s: string = "hello, world";\nconsole.log(s);\n'],
  php: ['main.php', '<?php echo "hello, world\\n";\n'],
  bash: ['main.sh', 'echo "hello, world"\n'],
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (n: number) => n.toFixed(1).padStart(7);

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function direct(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out === 'hello, world\n' ? resolve() : reject(new Error(`direct run failed: ${code} ${out}`))));
    child.stdin.end('\n');
  });
}

const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'runner-bench-cache-'));
const runner = await startRunner({ port: 0, cacheDir });
const client = createPistonClient(runner.url, { timeoutMs: 120_000 });
const runtimes = await client.runtimes();
// The C++ precompiled header is built in the background at start: wait for it, so C++ is measured as it runs.
for (let i = 0; i < 600; i++) {
  const state = (await client.sandbox())?.cxxPrecompiledHeader;
  if (state !== 'building') break;
  await new Promise((r) => setTimeout(r, 500));
}
const only = process.env.BENCH_LANGUAGES?.split(',');
console.log(`# runner benchmark — ${os.cpus().length} cores, ${runner.report.cgroups.mode === 'none' ? 'rlimits only' : `cgroup ${runner.report.cgroups.mode}`}, bubblewrap ${runner.report.bubblewrap.version}, ${RUNS} runs per language`);
console.log('');
console.log('| language | version | first run (ms) | p50 (ms) | p99 (ms) | stage wall p50 (ms) | runs/s (2 clients) |');
console.log('|---|---|---:|---:|---:|---:|---:|');

try {
  const rows = runtimes.flatMap((rt) => (rt.language === 'c++' ? [{ ...rt, label: 'c++' }, { ...rt, label: 'c++ <bits/stdc++.h>' }] : [{ ...rt, label: rt.language }]));
  for (const rt of rows) {
    if (only && !only.includes(rt.language)) continue;
    const hello = HELLO[rt.label];
    if (!hello) continue;
    const request: ExecuteRequest = { language: rt.language, version: rt.version, files: [{ name: hello[0], content: hello[1] }] };
    const check = async () => {
      const r = await client.execute(request);
      if (r.run.stdout !== 'hello, world\n') throw new Error(`${rt.language} ${rt.version}: ${JSON.stringify(r.compile ?? r.run)}`);
      return r;
    };
    const first = await timeIt(check);
    await check(); // warm
    const latencies: number[] = [];
    const stageWalls: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let wall = 0;
      latencies.push(
        await timeIt(async () => {
          wall = (await check()).run.wall_time ?? 0;
        }),
      );
      stageWalls.push(wall);
    }
    latencies.sort((a, b) => a - b);
    stageWalls.sort((a, b) => a - b);
    // Throughput: two clients (the runner runs 2 jobs at once on this machine), CONCURRENT_RUNS runs in all.
    let left = CONCURRENT_RUNS;
    const elapsed = await timeIt(() =>
      Promise.all(
        [0, 1].map(async () => {
          while (left-- > 0) await check();
        }),
      ),
    );
    console.log(`| ${rt.label} | ${rt.version} | ${ms(first)} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${ms(percentile(stageWalls, 50))} | ${(CONCURRENT_RUNS / (elapsed / 1000)).toFixed(1)} |`);
  }

  // Overhead: the same program spawned directly by Node vs run through the runner (HTTP included).
  console.log('');
  console.log('| overhead | direct p50 (ms) | runner p50 (ms) | overhead p50 (ms) | direct p99 | runner p99 |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runner-bench-direct-'));
  const cases: Array<[string, string, string, string[]]> = [
    ['python', 'main.py', HELLO.python![1], ['/usr/bin/python3', '-E', '-s']],
    ['javascript', 'main.js', HELLO.javascript![1], [process.execPath]],
  ];
  for (const [language, name, content, cmd] of cases) {
    if (!runtimes.some((r) => r.language === language)) continue;
    await writeFile(path.join(dir, name), content);
    const directTimes: number[] = [];
    const runnerTimes: number[] = [];
    const n = Math.max(RUNS, 30);
    const version = language === 'javascript' ? process.versions.node : '*';
    for (let i = 0; i < n + 2; i++) {
      const d = await timeIt(() => direct(cmd[0]!, [...cmd.slice(1), path.join(dir, name)]));
      const r = await timeIt(async () => {
        const res = await client.execute({ language, version, files: [{ name, content }] });
        if (res.run.stdout !== 'hello, world\n') throw new Error(JSON.stringify(res.run));
      });
      if (i >= 2) {
        directTimes.push(d);
        runnerTimes.push(r);
      }
    }
    directTimes.sort((a, b) => a - b);
    runnerTimes.sort((a, b) => a - b);
    console.log(
      `| ${language} hello world | ${ms(percentile(directTimes, 50))} | ${ms(percentile(runnerTimes, 50))} | ${ms(percentile(runnerTimes, 50) - percentile(directTimes, 50))} | ${ms(percentile(directTimes, 99))} | ${ms(percentile(runnerTimes, 99))} |`,
    );
  }
  await rm(dir, { recursive: true, force: true });
} finally {
  await runner.close();
  await rm(cacheDir, { recursive: true, force: true });
}
