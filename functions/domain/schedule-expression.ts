/**
 * EventBridge Scheduler expressions as `flowctl schedule create` writes them and the local scheduler runs them:
 * `at(yyyy-mm-ddThh:mm:ss)` (a wall-clock time in the schedule's time zone), `rate(value unit)` and
 * `cron(minutes hours day-of-month month day-of-week year)`. Pure functions, no AWS.
 */

export type ScheduleExpression =
  | { readonly kind: 'at'; readonly expression: string; readonly wallTime: string }
  | { readonly kind: 'rate'; readonly expression: string; readonly intervalMs: number }
  | { readonly kind: 'cron'; readonly expression: string };

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Parses and checks an expression; throws with what is wrong and an example of what is right. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const text = expression.trim();
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(text);
  if (at) {
    if (Number.isNaN(Date.parse(`${at[1]}Z`))) throw new Error(`at(): ${at[1]} is not a valid date and time`);
    return { kind: 'at', expression: text, wallTime: at[1]! };
  }
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`rate(): the value must be a positive integer`);
    const unit = rate[2]!.replace(/s$/, '');
    return { kind: 'rate', expression: text, intervalMs: value * RATE_UNITS[unit]! };
  }
  const cron = /^cron\((.+)\)$/.exec(text);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new Error(
        `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}: e.g. cron(0 6 * * ? *)`,
      );
    }
    if (fields[2] !== '?' && fields[4] !== '?') {
      throw new Error('cron(): one of day-of-month and day-of-week must be "?", e.g. cron(0 6 * * ? *)');
    }
    return { kind: 'cron', expression: `cron(${fields.join(' ')})` };
  }
  throw new Error(
    `"${expression}" is not a schedule expression: use at(2026-03-22T18:00:00), rate(15 minutes) or cron(0 6 * * ? *)`,
  );
}

/** `rate(N unit)` with the unit AWS expects: singular for 1, plural otherwise. */
export function rateExpression(text: string): string {
  const match = /^\s*(\d+)\s*(minute|minutes|hour|hours|day|days)\s*$/.exec(text) ?? /^rate\((.+)\)$/.exec(text.trim());
  if (!match) throw new Error(`--rate "${text}": use e.g. "15 minutes", "1 hour" or "2 days"`);
  if (match.length === 2) return rateExpression(match[1]!);
  const value = Number(match[1]);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`--rate "${text}": the value must be a positive integer`);
  const unit = match[2]!.replace(/s$/, '');
  return `rate(${value} ${value === 1 ? unit : `${unit}s`})`;
}

/** Throws unless `zone` is an IANA time zone this runtime knows (what Scheduler accepts too). */
export function checkTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new Error(`--tz "${zone}" is not an IANA time zone name, e.g. UTC, Europe/Paris, America/New_York`);
  }
}

/** The zone's offset from UTC at `utcMs`, in ms (positive east of Greenwich). */
function zoneOffsetMs(utcMs: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** The UTC instant of a wall-clock time (`2026-03-22T18:00:00`) in `zone` (two passes settle DST transitions). */
export function wallTimeToUtc(wallTime: string, zone = 'UTC'): Date {
  const naive = Date.parse(`${wallTime}Z`);
  if (Number.isNaN(naive)) throw new Error(`${wallTime} is not a valid date and time`);
  let utc = naive - zoneOffsetMs(naive, zone);
  utc = naive - zoneOffsetMs(utc, zone);
  return new Date(utc);
}

/** The wall-clock time (`2026-03-22T18:00:00`) of a UTC instant in `zone`. */
export function utcToWallTime(instant: Date, zone = 'UTC'): string {
  const shifted = new Date(instant.getTime() + zoneOffsetMs(instant.getTime(), zone));
  return shifted.toISOString().slice(0, 19);
}

/**
 * `--at` as an operator types it → the `at()` expression and its zone. With an offset or `Z`
 * (`2026-03-22T19:00:00+01:00`) the instant is exact: it is written in `--tz` when given, else in UTC. Without one
 * (`2026-03-22T19:00`) it is a wall-clock time in `--tz` (default UTC), as Scheduler reads `at()`.
 */
export function atExpression(input: string, zone?: string): { expression: string; zone: string; instant: Date } {
  const text = input.trim();
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!match) {
    throw new Error(`--at "${input}" is not an ISO 8601 date and time, e.g. 2026-03-22T19:00:00Z or 2026-03-22T19:00`);
  }
  const targetZone = zone ?? 'UTC';
  checkTimeZone(targetZone);
  const wall = `${match[1]}T${match[2]}${match[3] ?? ':00'}`;
  if (match[5]) {
    const instant = new Date(`${wall}${match[4] ?? ''}${match[5]}`);
    if (Number.isNaN(instant.getTime())) throw new Error(`--at "${input}" is not a valid date and time`);
    return { expression: `at(${utcToWallTime(instant, targetZone)})`, zone: targetZone, instant };
  }
  const instant = wallTimeToUtc(wall, targetZone);
  return { expression: `at(${wall})`, zone: targetZone, instant };
}
