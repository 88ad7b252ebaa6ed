import { describe, expect, it } from 'vitest';
import { localDate, localDayBounds, localWeekBounds, nextWorkingDayAt, zonedInstant } from './time.ts';

describe('time in the company zone', () => {
  it('finds the instant of a wall-clock time, in a zone without and with DST', () => {
    expect(zonedInstant('Asia/Shanghai', 2030, 1, 7, 9).toISOString()).toBe('2030-01-07T01:00:00.000Z');
    expect(zonedInstant('Europe/Berlin', 2030, 7, 1, 9).toISOString()).toBe('2030-07-01T07:00:00.000Z');
    expect(zonedInstant('Europe/Berlin', 2030, 1, 7, 9).toISOString()).toBe('2030-01-07T08:00:00.000Z');
  });

  it('knows the local date, day and week (weeks start on Monday)', () => {
    const sundayNightUtc = new Date('2030-01-06T17:30:00.000Z'); // Monday 01:30 in Shanghai
    expect(localDate(sundayNightUtc, 'Asia/Shanghai')).toBe('2030-01-07');
    expect(localDayBounds(sundayNightUtc, 'Asia/Shanghai')).toEqual({
      start: new Date('2030-01-06T16:00:00.000Z'),
      end: new Date('2030-01-07T16:00:00.000Z'),
    });
    expect(localWeekBounds(new Date('2030-01-10T04:00:00.000Z'), 'Asia/Shanghai')).toEqual({
      start: new Date('2030-01-06T16:00:00.000Z'),
      end: new Date('2030-01-13T16:00:00.000Z'),
    });
  });

  it.each([
    ['Monday 08:00', '2030-01-07T00:00:00.000Z', '2030-01-07T01:00:00.000Z'],
    ['Monday 09:00 exactly', '2030-01-07T01:00:00.000Z', '2030-01-08T01:00:00.000Z'],
    ['Friday 10:00', '2030-01-11T02:00:00.000Z', '2030-01-14T01:00:00.000Z'],
    ['Saturday', '2030-01-12T02:00:00.000Z', '2030-01-14T01:00:00.000Z'],
  ])('the next working day 09:00 after %s', (_, from, expected) => {
    expect(nextWorkingDayAt(new Date(from), 'Asia/Shanghai', 9).toISOString()).toBe(expected);
  });
});
