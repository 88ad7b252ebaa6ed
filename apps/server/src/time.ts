/**
 * Wall-clock arithmetic in the company's time zone (PAIRVIEW_TIME_ZONE) with Intl only: "today", "this week",
 * and the next working day's 09:00 for the digest.
 */

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: WEEKDAYS[get('weekday')]!,
  };
}

/** YYYY-MM-DD of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const { year, month, day } = localParts(instant, timeZone);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The instant when the wall clock in `timeZone` shows the given date and time. */
export function zonedInstant(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wanted;
  // Two rounds settle the offset, including across a DST change.
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess += wanted - shown;
  }
  return new Date(guess);
}

/** Start (inclusive) and end (exclusive) of the local day containing `instant`. */
export function localDayBounds(instant: Date, timeZone: string): { start: Date; end: Date } {
  const { year, month, day } = localParts(instant, timeZone);
  return { start: zonedInstant(timeZone, year, month, day), end: zonedInstant(timeZone, year, month, day + 1) };
}

/** Monday 00:00 to next Monday 00:00 of the local week containing `instant`. */
export function localWeekBounds(instant: Date, timeZone: string): { start: Date; end: Date } {
  const { year, month, day, weekday } = localParts(instant, timeZone);
  return {
    start: zonedInstant(timeZone, year, month, day - (weekday - 1)),
    end: zonedInstant(timeZone, year, month, day - (weekday - 1) + 7),
  };
}

/** Monday to Friday. Public holidays and make-up working days (调休) are not known to Pairview. */
export function isWorkingDay(weekday: number): boolean {
  return weekday >= 1 && weekday <= 5;
}

/** The first working day's `hour`:00 strictly after `instant`. */
export function nextWorkingDayAt(instant: Date, timeZone: string, hour: number): Date {
  const { year, month, day } = localParts(instant, timeZone);
  for (let offset = 0; offset < 8; offset++) {
    const candidate = zonedInstant(timeZone, year, month, day + offset, hour);
    if (candidate > instant && isWorkingDay(localParts(candidate, timeZone).weekday)) return candidate;
  }
  throw new Error('unreachable: a week always has a working day');
}
