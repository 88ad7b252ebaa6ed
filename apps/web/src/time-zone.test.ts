import { describe, expect, it } from 'vitest';
import { instantToWallTime, offsetMinutes, sameOffsetNow, wallTimeToInstant, zoneName } from './time-zone.ts';

describe('company time zone', () => {
  it('reads a wall time in the company zone, whatever the viewer’s zone (the schedule form)', () => {
    expect(wallTimeToInstant('2030-01-07T15:01', 'Asia/Shanghai')?.toISOString()).toBe('2030-01-07T07:01:00.000Z');
    expect(instantToWallTime('2030-01-07T07:01:00.000Z', 'Asia/Shanghai')).toBe('2030-01-07T15:01');
    expect(instantToWallTime('2030-01-07T07:01:00.000Z', 'America/New_York')).toBe('2030-01-07T02:01');
    expect(wallTimeToInstant('not a time', 'Asia/Shanghai')).toBeUndefined();
  });

  it('round-trips every half hour of a year with two daylight-saving changes', () => {
    const start = Date.UTC(2031, 0, 1);
    for (let t = start; t < start + 366 * 86_400_000; t += 30 * 60_000) {
      const iso = new Date(t).toISOString();
      const wall = instantToWallTime(iso, 'America/New_York');
      const back = wallTimeToInstant(wall, 'America/New_York')!;
      // A wall time that exists twice (the autumn change) reads as the first of the two.
      expect(instantToWallTime(back.toISOString(), 'America/New_York')).toBe(wall);
      expect(back.getTime() <= t).toBe(true);
    }
  });

  it('a wall time skipped by the spring change moves forward by the gap', () => {
    // 2031-03-09 02:30 does not exist in New York: clocks go from 02:00 to 03:00.
    expect(instantToWallTime(wallTimeToInstant('2031-03-09T02:30', 'America/New_York')!.toISOString(), 'America/New_York')).toBe('2031-03-09T03:30');
  });

  it('offsets and names', () => {
    expect(offsetMinutes('Asia/Shanghai', Date.UTC(2030, 0, 1))).toBe(480);
    expect(offsetMinutes('America/New_York', Date.UTC(2030, 6, 1))).toBe(-240);
    expect(sameOffsetNow('Asia/Shanghai', 'Asia/Chongqing')).toBe(true);
    expect(sameOffsetNow('Asia/Shanghai', 'Europe/London')).toBe(false);
    expect(zoneName('Asia/Shanghai', 'en-GB')).toBe('China Time');
    expect(zoneName('Asia/Shanghai', 'zh-CN')).toBe('中国时间');
  });
});
