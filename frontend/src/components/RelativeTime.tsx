import { formatDateTime, formatRelative } from "../lib/format";

/** "5 min ago", with the full local date and time on hover. */
export function RelativeTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
