import { expect, it } from 'vitest';
import { LANGUAGE_IDS } from '../../../server/src/rooms/languages.ts';
import { LANGUAGES, languageSupport } from './languages.ts';

it('the pad offers exactly the languages the server accepts, each with an editor mode', async () => {
  expect(LANGUAGES.map((l) => l.id)).toEqual([...LANGUAGE_IDS]);
  for (const { id } of LANGUAGES) {
    const support = await languageSupport(id);
    expect(Array.isArray(support) && support.length === 0, `${id} has a mode`).toBe(false);
  }
});
