/**
 * Pairview shows every time in the company's time zone (PAIRVIEW_TIME_ZONE, default Asia/Shanghai, written into
 * index.html by the server), as the WeCom cards and digests do, so a card and the page never disagree. A viewer
 * whose own zone differs sees the zone's name beside each time. The schedule form reads what is typed in the
 * company's zone too.
 */

const FALLBACK_ZONE = 'Asia/Shanghai';

export function companyTimeZone(): string {
  const zone = typeof document === 'undefined' ? undefined : document.documentElement.dataset['timeZone'];
  return zone && isTimeZone(zone) ? zone : FALLBACK_ZONE;
}

export function viewerTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether two zones show the same wall time now (Asia/Shanghai and Asia/Chongqing do). */
export function sameOffsetNow(a: string, b: string, now = Date.now()): boolean {
  return a === b || offsetMinutes(a, now) === offsetMinutes(b, now);
}

/** The zone's name as a person reads it in that language: "中国时间", "China Time". */
export function zoneName(zone: string, tag: string): string {
  const part = new Intl.DateTimeFormat(tag, { timeZone: zone, timeZoneName: 'shortGeneric' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

/** Minutes the zone is ahead of UTC at `instant` (ms). */
export function offsetMinutes(zone: string, instant: number): number {
  const parts = wallParts(zone, instant);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** ISO instant → "YYYY-MM-DDTHH:mm", the zone's wall time (what <input type=datetime-local> holds). */
export function instantToWallTime(iso: string, zone: string): string {
  const p = wallParts(zone, new Date(iso).getTime());
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/**
 * "YYYY-MM-DDTHH:mm" read as the zone's wall time → the instant. A time that does not exist (skipped by a
 * daylight-saving change) moves forward by the gap; one that exists twice takes the first.
 */
export function wallTimeToInstant(value: string, zone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offset near that wall time, tried from both sides of a possible change.
  const candidates = [offsetMinutes(zone, asUtc - 86_400_000), offsetMinutes(zone, asUtc + 86_400_000)].map((offset) => asUtc - offset * 60_000);
  for (const instant of candidates.sort((a, b) => a - b)) {
    if (instantToWallTime(new Date(instant).toISOString(), zone) === value) return new Date(instant);
  }
  return new Date(Math.max(...candidates));
}

/** One formatter per zone: making one costs far more than using it. */
const wallFormats = new Map<string, Intl.DateTimeFormat>();

function wallParts(zone: string, instant: number) {
  let format = wallFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallFormats.set(zone, format);
  }
  const parts = format.formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}
