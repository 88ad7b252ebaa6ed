import { describe, expect, it } from 'vitest';
import { dedupeStoreContract } from '../testing/dedupe-store-contract.ts';
import { sampleCallbackEvents } from '../testing/samples.ts';
import { dedupeKeyFor, MemoryDedupeStore } from './dedupe.ts';
import { parseCallbackEvent, serializeCallbackXml, type CallbackEventInput } from './events.ts';

const typed = (input: CallbackEventInput) => parseCallbackEvent(serializeCallbackXml(input));

describe('MemoryDedupeStore keeps the DedupeStore contract', () => {
  for (const check of dedupeStoreContract) it(check.name, () => check.run(() => new MemoryDedupeStore()));

  it('drops the oldest keys beyond maxEntries', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) expect(await store.claim({ key, now: 0, expiresAt: 1000 })).toBe(true);
    expect(store.size).toBe(2);
    expect(await store.claim({ key: 'c', now: 1, expiresAt: 1000 })).toBe(false);
    expect(await store.claim({ key: 'a', now: 1, expiresAt: 1000 })).toBe(true);
  });
});

describe('dedupeKeyFor', () => {
  it('uses MsgId for messages, scoped by corp and agent', () => {
    expect(dedupeKeyFor(typed(sampleCallbackEvents.text))).toBe('wecom:ww5823bf96d3bd56c7:1000002:msg:4561255354251345929');
    expect(dedupeKeyFor(typed({ ...sampleCallbackEvents.text, content: 'other text, same id' }))).toBe(dedupeKeyFor(typed(sampleCallbackEvents.text)));
  });

  it('keeps two different clicks by one member in the same second apart', () => {
    const a = dedupeKeyFor(typed({ ...sampleCallbackEvents.click, eventKey: 'A' }));
    const b = dedupeKeyFor(typed({ ...sampleCallbackEvents.click, eventKey: 'B' }));
    expect(a).not.toBe(b);
    expect(a).toBe(dedupeKeyFor(typed({ ...sampleCallbackEvents.click, eventKey: 'A' })));
  });

  it('keeps contact changes of one second apart (FromUserName is always sys)', () => {
    const keys = new Set(
      ['u1', 'u2'].flatMap((userId) => [
        dedupeKeyFor(typed({ ...sampleCallbackEvents.delete_user, userId })),
        dedupeKeyFor(typed({ ...sampleCallbackEvents.update_user, userId })),
      ]),
    );
    expect(keys.size).toBe(4);
  });
});
