// A wall-clock time with its UTC offset, as the API's `next_local` gives it ("2025-03-30T03:00:00+02:00").
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

// Formats the wall-clock fields as they are: the Date below is only a carrier, read back in UTC.
const wallClockFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

export interface WallClock {
  /** "Sun, Mar 30, 2025, 03:00:00" in the reader's language. */
  text: string;
  /** "+02:00", "Z", or "" when the string had none. */
  offset: string;
}

/**
 * The time of day a schedule fires in its own zone, written without converting it
 * (the server already did, with the scheduler's rules); the string as is if it is not one.
 */
export function wallClock(iso: string): WallClock {
  const match = LOCAL_ISO.exec(iso);
  if (!match) return { text: iso, offset: "" };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? "0")) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const carrier = Date.UTC(year, month - 1, day, hour, minute, second);
  return { text: wallClockFormat.format(carrier), offset: match[7] ?? "" };
}
