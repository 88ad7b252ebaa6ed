// Every language the runner detected, in the real sandbox: hello world, a stdin echo, arguments, a compile error
// reported as a compile stage, and the compile cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '../src/languages/catalog.ts';
import { readJavaSource } from '../src/languages/java-main.ts';
import type { Runtime } from '../src/index.ts';
import { startTestRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

// Hello world, then one line of stdin echoed back as "got <line>".
const PROGRAMS: Record<string, { hello: string; echo: string; broken?: string; file?: string }> = {
  c: {
    hello: '#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n',
    echo: '#include <stdio.h>\nint main(void) { char b[256]; if (fgets(b, sizeof b, stdin)) printf("got %s", b); return 0; }\n',
    broken: 'int main(void) { return undefined_name; }\n',
  },
  'c++': {
    hello: '#include <iostream>\nint main() { std::cout << "hello, world" << std::endl; }\n',
    echo: '#include <iostream>\n#include <string>\nint main() { std::string s; std::getline(std::cin, s); std::cout << "got " << s << "\\n"; }\n',
    broken: 'int main() { std::vector<int> v; }\n',
  },
  java: {
    hello: 'public class Main { public static void main(String[] args) { System.out.println("hello, world"); } }\n',
    // A non-public class first, and a file name that is not the class's: the runner names and launches it.
    echo: 'import java.util.Scanner;\nclass Helper { static String tag() { return "got "; } }\npublic class Solution {\n  public static void main(String[] args) { System.out.println(Helper.tag() + new Scanner(System.in).nextLine()); }\n}\n',
    broken: 'public class Main { public static void main(String[] args) { int x = "no"; } }\n',
  },
  kotlin: {
    hello: 'fun main() { println("hello, world") }\n',
    echo: 'fun main() { println("got " + readLine()) }\n',
    broken: 'fun main() { val x: Int = "no" }\n',
  },
  go: {
    hello: 'package main\nimport "fmt"\nfunc main() { fmt.Println("hello, world") }\n',
    echo: 'package main\nimport ("bufio"; "fmt"; "os")\nfunc main() { l, _ := bufio.NewReader(os.Stdin).ReadString(10); fmt.Print("got ", l) }\n',
    broken: 'package main\nfunc main() { x := 1 }\n',
  },
  rust: {
    hello: 'fn main() { println!("hello, world"); }\n',
    echo: 'use std::io::BufRead;\nfn main() { let mut s = String::new(); std::io::stdin().lock().read_line(&mut s).unwrap(); print!("got {}", s); }\n',
    broken: 'fn main() { let x: i32 = "no"; }\n',
  },
  python: { hello: 'print("hello, world")\n', echo: 'print("got " + input())\n' },
  javascript: {
    hello: 'console.log("hello, world");\n',
    echo: 'const line = require("fs").readFileSync(0, "utf8").split("\\n")[0];\nconsole.log("got " + line);\n',
  },
  typescript: {
    // Type annotations and an enum (needs the transform, not only stripping).
    hello: 'enum Greeting { Hello = "hello, world" }\nconst message: string = Greeting.Hello;\nconsole.log(message);\n',
    echo: 'import { readFileSync } from "node:fs";\nconst line: string = readFileSync(0, "utf8").split("\\n")[0]!;\nconsole.log(`got ${line}`);\n',
  },
  php: { hello: '<?php echo "hello, world\\n";\n', echo: '<?php echo "got " . fgets(STDIN);\n' },
  bash: { hello: 'echo "hello, world"\n', echo: 'read -r line; echo "got $line"\n' },
};

const REQUIRED = ['c', 'c++', 'java', 'go', 'rust', 'python', 'javascript', 'typescript'];

let t: TestRunner;
let runtimes: Runtime[] = [];

beforeAll(async () => {
  t = await startTestRunner({ withCache: true });
  runtimes = await t.client.runtimes();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('detection', () => {
  it('detects the languages CI installs, with versions and aliases', () => {
    const languages = new Set(runtimes.map((r) => r.language));
    for (const l of REQUIRED) expect(languages, `${l} not detected: ${JSON.stringify(t.runner.report.languages.find((x) => x.language === l))}`).toContain(l);
    for (const r of runtimes) expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
    const aliases = (l: string) => runtimes.find((r) => r.language === l)?.aliases ?? [];
    expect(aliases('c++')).toContain('cpp');
    expect(aliases('python')).toContain('py');
    expect(aliases('javascript')).toContain('js');
    expect(aliases('go')).toContain('golang');
    expect(aliases('rust')).toContain('rs');
    expect(aliases('typescript')).toContain('ts');
    expect(runtimes.find((r) => r.language === 'c')?.runtime).toBe('gcc');
  });

  it('reports every language it knows, with a fix for the missing ones', () => {
    for (const l of t.runner.report.languages) {
      if (!l.available) expect(l.fix, l.language).toBeTruthy();
    }
    expect(t.runner.report.ok).toBe(true);
  });
});

describe('hello world and stdin in every detected runtime', () => {
  it.each(Object.keys(PROGRAMS))('%s', async (language) => {
    const versions = runtimes.filter((r) => r.language === language);
    if (versions.length === 0) {
      expect(REQUIRED, `${language} is required but was not detected`).not.toContain(language);
      return;
    }
    const program = PROGRAMS[language]!;
    for (const { version } of versions) {
      const hello = await t.execute({ language, version }, program.hello);
      expect(hello.language).toBe(language);
      expect(hello.version).toBe(version);
      expect(hello.run, `${language} ${version}: ${hello.compile?.stderr ?? ''} ${hello.run.stderr}`).toMatchObject({ stdout: 'hello, world\n', code: 0, signal: null, status: null });
      expect(hello.run.wall_time).toBeGreaterThan(0);
      expect(hello.run.memory).toBeGreaterThan(0);
      const echo = await t.execute({ language, version, stdin: 'one line of input' }, program.echo);
      expect(echo.run.stdout, `${language} ${version}: ${echo.compile?.stderr ?? ''} ${echo.run.stderr}`).toBe('got one line of input\n');
      const hasCompile = ['c', 'c++', 'java', 'kotlin', 'go', 'rust'].includes(language);
      expect(echo.compile !== undefined, `${language} compile stage`).toBe(hasCompile);
    }
  }, 120_000);
});

describe('compile stage', () => {
  it.each(['c', 'c++', 'java', 'go', 'rust', 'kotlin'])('a %s compile error is the compile stage, and run copies it', async (language) => {
    if (!runtimes.some((r) => r.language === language)) return;
    const result = await t.execute({ language }, PROGRAMS[language]!.broken!);
    expect(result.compile).toBeDefined();
    expect(result.compile!.status).toBe('RE');
    expect(result.compile!.code).not.toBe(0);
    expect(result.compile!.message).toMatch(/^Exited with error status \d+$/);
    expect(result.compile!.stderr.length).toBeGreaterThan(0);
    expect(result.run).toEqual(result.compile);
  }, 120_000);

  it('serves the same source from the compile cache, and a changed source compiles again', async () => {
    const code = '#include <stdio.h>\nint main(void) { puts("cached? 41"); return 0; }\n';
    const first = await t.execute({ language: 'c' }, code);
    expect(first.compile?.cached).toBeUndefined();
    const second = await t.execute({ language: 'c' }, code);
    expect(second.compile?.cached).toBe(true);
    expect(second.run.stdout).toBe('cached? 41\n');
    const changed = await t.execute({ language: 'c' }, code.replace('41', '42'));
    expect(changed.compile?.cached).toBeUndefined();
    expect(changed.run.stdout).toBe('cached? 42\n');
    // A cached Java program still gets its own files and arguments.
    const java = 'public class Main { public static void main(String[] a) { System.out.println(String.join(",", a)); } }\n';
    await t.execute({ language: 'java', args: ['x'] }, java);
    const again = await t.execute({ language: 'java', args: ['a', 'b c'] }, java);
    expect(again.compile?.cached).toBe(true);
    expect(again.run.stdout).toBe('a,b c\n');
  }, 120_000);
});

describe('C++ precompiled header', () => {
  it('is built in the background, valid for the compile flags inside the sandbox, and used by C++ compiles', async () => {
    let state = '';
    for (let i = 0; i < 480; i++) {
      state = (await t.client.sandbox())!.cxxPrecompiledHeader;
      if (state !== 'building') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(state).toBe('ready');
    const program = '#include <bits/stdc++.h>\nusing namespace std;\nint main() { vector<int> v{3, 1, 2}; sort(v.begin(), v.end()); cout << v[0] << v[2] << endl; }\n';
    const result = await t.execute({ language: 'c++', files: [{ name: 'main.cpp', content: program }] });
    expect(result.compile).toMatchObject({ code: 0, status: null });
    expect(result.run.stdout).toBe('13\n');
    // g++ -H marks a precompiled header it uses with "!" (and one it rejects with "x").
    const check = await t.execute({
      language: 'bash',
      files: [
        { name: 'main.sh', content: 'g++ -std=gnu++17 -O2 -I/opt/pch -H -fsyntax-only x.cpp 2>&1 | head -1\n' },
        { name: 'x.cpp', content: program },
      ],
    });
    expect(check.run.stdout).toBe('! /opt/pch/bits/stdc++.h.gch\n');
    // …with the same flags as the C++ compile, which looks there once the header is ready.
    const cxx = LANGUAGES.find((l) => l.language === 'c++')!;
    const argv = cxx.compile!.command({ main: { name: 'main.cpp', content: Buffer.from(''), utf8: true }, sources: [], args: [], memoryBytes: -1, cxxPch: true }).argv;
    expect(argv).toEqual(expect.arrayContaining(['-std=gnu++17', '-O2', '-I/opt/pch']));
  }, 150_000);
});

describe('files and arguments', () => {
  it('passes args, several files (utf8 and base64) and keeps a file name the program reads', async () => {
    const result = await t.execute({
      language: 'python',
      args: ['--flag', 'two words'],
      files: [
        { name: 'main.py', content: 'import sys, helper\nprint(sys.argv[1:], helper.VALUE, open("data/blob.bin","rb").read())\n' },
        { name: 'helper.py', content: 'VALUE = 7\n' },
        { name: 'data/blob.bin', content: Buffer.from([0, 1, 2]).toString('base64'), encoding: 'base64' },
      ],
    });
    expect(result.run.stdout).toBe("['--flag', 'two words'] 7 b'\\x00\\x01\\x02'\n");
  });

  it('names a file without its extension for the language (file0.code → .go)', async () => {
    const result = await t.execute({ language: 'go' }, PROGRAMS.go!.hello);
    expect(result.run.stdout).toBe('hello, world\n');
  }, 60_000);
});

describe('Java main class', () => {
  it('reads the package, the public class and the class with main, ignoring comments and strings', () => {
    const info = readJavaSource(
      'package a.b;\n// public class Fake {}\n/* class Nope { public static void main(String[] a){} } */\nclass Util { String s = "public class X {"; }\npublic class Solution { public static void main(String[] args) {} }\n',
    );
    expect(info).toEqual({ packageName: 'a.b', publicType: 'Solution', mainType: 'Solution' });
    expect(readJavaSource('class A {}\nclass B { static public void main(String[] x) {} }').mainType).toBe('B');
    expect(readJavaSource('record P(int x) {}').mainType).toBe('P');
  });
});
