/**
 * What the pad holds before anyone types: the interview question's starter code for the room's language, or a
 * small runnable template when the question has none (or there is no question).
 */
import type { Db } from '../../db/pool.ts';
import { roomQuestion } from '../../questions/room.ts';

const TEMPLATES: Record<string, string> = {
  javascript: `// JavaScript — 在这里写代码 / write your code here\nfunction main() {\n  console.log('Hello, Pairview');\n}\n\nmain();\n`,
  typescript: `// TypeScript — 在这里写代码 / write your code here\nfunction greet(name: string): string {\n  return \`Hello, \${name}\`;\n}\n\nconsole.log(greet('Pairview'));\n`,
  python: `# Python 3 — 在这里写代码 / write your code here\ndef main() -> None:\n    print("Hello, Pairview")\n\n\nif __name__ == "__main__":\n    main()\n`,
  java: `// Java — 在这里写代码 / write your code here\npublic class Main {\n    public static void main(String[] args) {\n        System.out.println("Hello, Pairview");\n    }\n}\n`,
  cpp: `// C++ — 在这里写代码 / write your code here\n#include <iostream>\n\nint main() {\n    std::cout << "Hello, Pairview" << std::endl;\n    return 0;\n}\n`,
  go: `// Go — 在这里写代码 / write your code here\npackage main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("Hello, Pairview")\n}\n`,
  rust: `// Rust — 在这里写代码 / write your code here\nfn main() {\n    println!("Hello, Pairview");\n}\n`,
  sql: `-- SQL (SQLite) — 在这里写代码 / write your code here\ncreate table people (id integer primary key, name text);\ninsert into people (name) values ('Ada'), ('Lin');\nselect * from people;\n`,
  kotlin: `// Kotlin — 在这里写代码 / write your code here\nfun main() {\n    println("Hello, Pairview")\n}\n`,
  php: `<?php\n// PHP — 在这里写代码 / write your code here\necho "Hello, Pairview\\n";\n`,
};

export async function starterCode(db: Db, interviewId: string, language: string): Promise<string> {
  const fromQuestion = (await roomQuestion(db, interviewId))?.starterCode[language];
  return fromQuestion !== undefined && fromQuestion.trim() !== '' ? fromQuestion : (TEMPLATES[language] ?? '');
}

/** What an untouched pad holds now: the starter code of the room's current language and question. */
export async function currentStarterCode(db: Db, interviewId: string): Promise<string> {
  const room = await db.selectFrom('rooms').select('language').where('interview_id', '=', interviewId).executeTakeFirst();
  return starterCode(db, interviewId, room?.language ?? 'javascript');
}
