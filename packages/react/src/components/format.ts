/**
 * Durations as the components show them: a countdown to a reconnect attempt, a job's time
 * left. Plain functions, so an app can format the same way in its own markup.
 */

/** Words of a formatted duration; replace them to translate (see {@link formatDuration}). */
export interface DurationUnits {
  /** @default "h" */
  readonly hours: string;
  /** @default "min" */
  readonly minutes: string;
  /** @default "s" */
  readonly seconds: string;
}

/** The English units {@link formatDuration} uses when none are given. */
export const DEFAULT_DURATION_UNITS: DurationUnits = { hours: "h", minutes: "min", seconds: "s" };

/**
 * Formats a number of seconds for people, with the two largest units that matter:
 * `45 s`, `2 min 5 s`, `1 h 2 min`. Rounds up, so a countdown shows `1 s` until it is over;
 * a negative or non-finite value shows `0 s`.
 *
 * @example
 * formatDuration(125); // "2 min 5 s"
 * formatDuration(3720, { hours: "Std.", minutes: "Min.", seconds: "Sek." }); // "1 Std. 2 Min."
 */
export function formatDuration(
  seconds: number,
  units: DurationUnits = DEFAULT_DURATION_UNITS,
): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) {
    return minutes > 0
      ? `${hours} ${units.hours} ${minutes} ${units.minutes}`
      : `${hours} ${units.hours}`;
  }
  if (minutes > 0) {
    return rest > 0
      ? `${minutes} ${units.minutes} ${rest} ${units.seconds}`
      : `${minutes} ${units.minutes}`;
  }
  return `${rest} ${units.seconds}`;
}

/**
 * Whole seconds from `now` until `at` (both milliseconds since the Unix epoch), rounded up
 * and never below 0: what a countdown shows.
 */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * A number with a fixed number of decimals for a percentage: `42 %` style text is left to
 * the labels, this only rounds (`12.345` → `12`).
 */
export function roundPercent(percent: number): number {
  if (!Number.isFinite(percent)) return 0;
  return Math.min(100, Math.max(0, Math.round(percent)));
}
