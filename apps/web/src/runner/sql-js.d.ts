// sql.js ships no types (and @types/sql.js would be one more dependency for six methods): the part the SQL engine uses.
declare module 'sql.js' {
  export type SqlValue = number | string | Uint8Array | null;
  export interface Statement {
    step(): boolean;
    get(): SqlValue[];
    getColumnNames(): string[];
    getSQL(): string;
    free(): boolean;
  }
  export interface StatementIterator extends Iterator<Statement> {
    getRemainingSQL(): string;
  }
  export interface Database {
    iterateStatements(sql: string): StatementIterator;
    close(): void;
  }
  export interface SqlJsStatic {
    Database: new () => Database;
  }
  export default function initSqlJs(config?: { locateFile?: (file: string) => string }): Promise<SqlJsStatic>;
}
