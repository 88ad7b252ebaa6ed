/**
 * SQL against SQLite (sql.js): every statement of the script runs in order on a fresh in-memory database; each
 * statement that returns rows prints them as an aligned text table in psql's style, and the first failing
 * statement stops the script with SQLite's message and that statement's text.
 *
 * The wasm module is compiled once per worker and kept; the database is new for every run.
 */
import initSqlJs, { type SqlJsStatic, type SqlValue } from 'sql.js';
import type { EngineIO } from './io.ts';

let sqlite: Promise<SqlJsStatic> | undefined;

/** Starts compiling SQLite before the first run asks for it. */
export async function prepareSql(wasmUrl: string): Promise<void> {
  sqlite ??= initSqlJs({ locateFile: () => wasmUrl });
  await sqlite;
}

export async function runSql(script: string, wasmUrl: string, io: EngineIO): Promise<'ok' | 'error'> {
  sqlite ??= initSqlJs({ locateFile: () => wasmUrl });
  let SQL: SqlJsStatic;
  try {
    SQL = await sqlite;
  } catch (error) {
    sqlite = undefined;
    throw new Error(`SQLite could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }

  const db = new SQL.Database();
  io.started();
  try {
    const statements = db.iterateStatements(script);
    let printed = false;
    for (let number = 1; ; number++) {
      const remaining = statements.getRemainingSQL();
      let next: IteratorResult<import('sql.js').Statement>;
      try {
        next = statements.next();
      } catch (error) {
        io.write(failure(number, firstStatement(remaining), error));
        return 'error';
      }
      if (next.done) return 'ok';
      const statement = next.value;
      try {
        const columns = statement.getColumnNames();
        const rows: SqlValue[][] = [];
        while (statement.step()) rows.push(statement.get());
        if (columns.length > 0) {
          io.write((printed ? '\n' : '') + formatTable(columns, rows));
          printed = true;
        }
      } catch (error) {
        io.write(failure(number, statement.getSQL(), error));
        return 'error';
      }
    }
  } finally {
    db.close();
  }
}

function failure(number: number, sql: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Error in statement ${number}: ${message}\n  ${sql.trim().replace(/\s*\n\s*/g, ' ')}\n`;
}

/** The statement SQLite could not parse: the rest of the script up to its next semicolon, as far as we can tell. */
function firstStatement(remaining: string): string {
  const text = remaining.trim();
  const end = text.indexOf(';');
  const statement = end === -1 ? text : text.slice(0, end + 1);
  return statement.length > 200 ? `${statement.slice(0, 200)}…` : statement;
}

function cell(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return `x'${Array.from(value, (byte) => byte.toString(16).padStart(2, '0')).join('')}'`;
  return String(value).replace(/\r?\n/g, '\\n');
}

/** Columns as a terminal shows them: CJK and other wide characters take two cells. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1f300 && code <= 0x1faff) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/**
 *  id | name
 * ----+-------
 *   1 | Alice
 * (1 row)
 *
 * Numbers right-aligned, everything else left-aligned, as psql does.
 */
export function formatTable(columns: readonly string[], rows: readonly SqlValue[][]): string {
  const cells = rows.map((row) => row.map(cell));
  const widths = columns.map((name, i) => Math.max(displayWidth(name), ...cells.map((row) => displayWidth(row[i] ?? ''))));
  const pad = (text: string, width: number, right: boolean) => {
    const fill = ' '.repeat(width - displayWidth(text));
    return right ? fill + text : text + fill;
  };
  const line = (values: readonly string[], rightAligned: (i: number) => boolean) =>
    ' ' + values.map((value, i) => pad(value, widths[i] ?? 0, rightAligned(i))).join(' | ').trimEnd();
  const header = line(columns, () => false);
  const rule = widths.map((width) => '-'.repeat(width + 2)).join('+');
  const body = cells.map((row, r) => line(row, (i) => typeof rows[r]?.[i] === 'number' || typeof rows[r]?.[i] === 'bigint'));
  const count = `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`;
  return [header, rule, ...body, count].join('\n') + '\n';
}
