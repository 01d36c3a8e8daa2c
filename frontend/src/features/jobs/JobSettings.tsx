import type { JobDetail } from "../../api/client";
import { formatLimit, LIMIT_NAMES, LIMITS } from "../../lib/limits";
import { describeRetryPolicy } from "./retry";

const NETWORK_LABELS: Record<string, string> = {
  none: "None (no network access)",
  internet: "Internet (outbound only)",
};

/** How the job runs: its sandbox, priority, retries, concurrency and limits. */
export function JobSettings({ job }: { job: JobDetail }) {
  const policy = describeRetryPolicy(job.retry);
  return (
    <>
      <h2>Details</h2>
      <dl className="meta" data-testid="job-settings">
        <div>
          <dt>Network</dt>
          <dd>{NETWORK_LABELS[job.network] ?? job.network}</dd>
        </div>
        <div>
          <dt>Sandboxed</dt>
          <dd>{job.sandboxed ? "Yes" : "No"}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{job.priority}</dd>
        </div>
        <div>
          <dt>Retry policy</dt>
          <dd>{policy ?? <span className="muted">No retries</span>}</dd>
        </div>
        <div>
          <dt>Concurrency</dt>
          <dd>
            {job.concurrency_limit != null ? (
              <>
                {job.concurrency_limit} at once{" "}
                {job.concurrency_key && (
                  <>
                    per key <code>{job.concurrency_key}</code>
                  </>
                )}
              </>
            ) : (
              <span className="muted">No limit</span>
            )}
          </dd>
        </div>
      </dl>
      <h3 className="subheading">Limits</h3>
      <dl className="meta meta-grid" data-testid="job-limits">
        {LIMIT_NAMES.map((name) => {
          const value = job.limits[name];
          return value === undefined ? null : (
            <div key={name} title={LIMITS[name].help}>
              <dt>{LIMITS[name].label}</dt>
              <dd>{formatLimit(name, value)}</dd>
            </div>
          );
        })}
      </dl>
    </>
  );
}
