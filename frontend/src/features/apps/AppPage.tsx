import { useParams, useSearchParams } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonLines } from "../../components/Skeleton";
import { ArgsForm } from "../scripts/ArgsForm";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { AppRun } from "./AppRun";
import { useApp, useRunApp, type App } from "./queries";

/**
 * `/apps/:ws/<path>`: one app, as an operator sees it: the summary, the description,
 * the form and the result of the run they started. The run's id is kept in the URL
 * (`?job=`) so a reload, or a link sent to a colleague, shows the same result.
 */
export function AppPage() {
  const workspace = useCurrentWorkspace();
  const path = useParams()["*"] ?? "";
  const app = useApp(workspace.id, path);

  if (app.isPending) return <SkeletonLines lines={6} label="Loading app…" />;
  if (app.isError) return <ErrorMessage error={app.error} onRetry={() => void app.refetch()} />;
  return <AppView key={`${path}@${app.data.hash}`} workspaceId={workspace.id} app={app.data} />;
}

function AppView({ workspaceId, app }: { workspaceId: string; app: App }) {
  const run = useRunApp(workspaceId, app);
  const [search, setSearch] = useSearchParams();
  const jobId = search.get("job");

  return (
    <section className="app-page" aria-labelledby="app-title">
      <header className="app-header">
        <h1 id="app-title">{app.summary || app.path}</h1>
        {app.summary && <p className="mono muted">{app.path}</p>}
        {app.description && <p className="lead app-description">{app.description}</p>}
      </header>
      <div className="panel app-form">
        <ArgsForm
          label={`Run ${app.summary || app.path}`}
          submitLabel="Run"
          schema={app.schema}
          pending={run.isPending}
          error={run.error}
          onEdit={() => {
            if (run.isError) run.reset();
          }}
          onSubmit={(args) =>
            run.mutate(args, { onSuccess: ({ id }) => setSearch({ job: id }, { replace: false }) })
          }
        />
      </div>
      {jobId && <AppRun key={jobId} workspaceId={workspaceId} jobId={jobId} />}
    </section>
  );
}
