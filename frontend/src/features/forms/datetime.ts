/**
 * `<input type="datetime-local">` speaks wall-clock time without a zone; the
 * API gets ISO 8601 with the browser's offset (`2025-01-02T10:30:00+01:00`),
 * so the script sees the instant the user meant and the zone they meant it in.
 */

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, "0");
}

/** "2025-01-02T10:30" (local wall clock) → "2025-01-02T10:30:00+01:00"; "" when it is not a time. */
export function localToIso(local: string): string {
  const date = new Date(local);
  if (local === "" || Number.isNaN(date.getTime())) return "";
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? "Z" : `${offset > 0 ? "+" : "-"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  return `${wallClock(date, true)}${zone}`;
}

/** Any ISO 8601 instant → the local wall clock the input shows; "" when it is not a time. */
export function isoToLocal(iso: string): string {
  const date = new Date(iso);
  return iso === "" || Number.isNaN(date.getTime()) ? "" : wallClock(date, date.getSeconds() !== 0);
}

function wallClock(date: Date, seconds: boolean): string {
  const day = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return `${day}T${time}${seconds ? `:${pad(date.getSeconds())}` : ""}`;
}
