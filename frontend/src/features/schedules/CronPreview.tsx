import { useCronPreview } from "./queries";
import { wallClock } from "./time";

interface CronPreviewProps {
  workspaceId: string;
  cron: string;
  timezone: string;
  id: string;
}

/**
 * The cron expression in words and its next fire times in the schedule's zone, as
 * the API computes them (the scheduler's own code), or the API's reason it is not valid.
 */
export function CronPreview({ workspaceId, cron, timezone, id }: CronPreviewProps) {
  const { query, settling } = useCronPreview(workspaceId, cron, timezone);
  const empty = cron.trim() === "";
  const stale = settling || query.isPlaceholderData;
  const bad = !empty && query.isError;
  const classes = ["cron-preview", stale ? "cron-preview-stale" : "", bad ? "cron-preview-bad" : ""];

  return (
    <div
      id={id}
      className={classes.filter(Boolean).join(" ")}
      aria-live="polite"
      data-testid="cron-preview"
    >
      {empty ? (
        <p className="field-hint">
          Five fields (<code>minute hour day month weekday</code>), or six with seconds first, or{" "}
          <code>@daily</code>, <code>@hourly</code>…
        </p>
      ) : query.isError ? (
        <p className="field-error" role="alert" data-testid="cron-preview-error">
          {query.error.message}
        </p>
      ) : query.data === undefined ? (
        <p className="field-hint">Checking…</p>
      ) : (
        <>
          <p className="cron-description" data-testid="cron-description">
            {query.data.description}
          </p>
          {query.data.next_local.length === 0 ? (
            <p className="field-hint">It never fires.</p>
          ) : (
            <>
              <div className="field-hint">Next, in {query.data.timezone}:</div>
              <ol className="cron-times" data-testid="cron-times">
                {query.data.next_local.map((iso) => {
                  const { text, offset } = wallClock(iso);
                  return (
                    <li key={iso}>
                      <time dateTime={iso}>{text}</time>
                      {offset && <span className="muted"> {offset === "Z" ? "UTC" : `UTC${offset}`}</span>}
                    </li>
                  );
                })}
              </ol>
            </>
          )}
        </>
      )}
    </div>
  );
}
