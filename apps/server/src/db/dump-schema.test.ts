import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { dumpSchema, schemaFile } from './dump-schema.ts';

it('schema.sql is what the migrations produce (run `npm run schema:dump -w apps/server` after a new migration)', async () => {
  const committed = await readFile(schemaFile, 'utf8');
  expect(await dumpSchema()).toBe(committed);
});
