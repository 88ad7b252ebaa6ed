import { describe, expect, it } from 'vitest';
import { decisionKey, inviteKey } from '../outbound/card-keys.ts';
import { parseCardKey } from './card-keys.ts';
import { parseBotCommand } from './commands.ts';

describe('bot commands', () => {
  it.each([
    ['today', 'today'],
    ['  TODAY \n', 'today'],
    ['今天', 'today'],
    ['ｔｏｄａｙ', 'today'],
    ['Week', 'week'],
    ['本周', 'week'],
    ['pending', 'pending'],
    [' 待面评 ', 'pending'],
    ['HELP', 'help'],
    ['帮助', 'help'],
    ['hello', 'unknown'],
    ['today please', 'unknown'],
    ['', 'unknown'],
    ['constructor', 'unknown'],
  ])('%j → %s', (text, command) => {
    expect(parseBotCommand(text)).toBe(command);
  });
});

describe('card button keys', () => {
  const id = '0b3c5a8e-1d2f-4a6b-8c9d-0e1f2a3b4c5d';
  it('reads every key of the card contract (glue.md)', () => {
    expect(parseCardKey(`invite:accept:${id}`)).toEqual({ kind: 'invite', response: 'accepted', interviewId: id });
    expect(parseCardKey(`invite:decline:${id}`)).toEqual({ kind: 'invite', response: 'declined', interviewId: id });
    for (const decision of ['advance', 'another_round', 'reject'] as const) {
      expect(parseCardKey(`decision:${decision}:${id}`)).toEqual({ kind: 'decision', decision, interviewId: id });
    }
  });
  it('reads the keys the outbound side puts on its cards', () => {
    expect(parseCardKey(inviteKey('accept', id))).toEqual({ kind: 'invite', response: 'accepted', interviewId: id });
    expect(parseCardKey(inviteKey('decline', id))).toEqual({ kind: 'invite', response: 'declined', interviewId: id });
    expect(parseCardKey(decisionKey('another_round', id))).toEqual({ kind: 'decision', decision: 'another_round', interviewId: id });
  });
  it.each([`invite:maybe:${id}`, `decision:hire:${id}`, 'invite:accept:42', `invite:accept:${id}:x`, `other:accept:${id}`, '', `toString:accept:${id}`])(
    'refuses %j',
    (key) => {
      expect(parseCardKey(key)).toBeUndefined();
    },
  );
});
