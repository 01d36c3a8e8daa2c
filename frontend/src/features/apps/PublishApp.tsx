import { Link } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { appUrl, usePublishApp } from "./queries";

interface PublishAppProps {
  workspaceId: string;
  path: string;
  published: boolean;
  /** Only writers of the path (admins, developers) may change it. */
  canEdit: boolean;
}

/** "Publish as app": operators then see the script's (or flow's) form at /apps/{ws}/{path} and run it. */
export function PublishApp({ workspaceId, path, published, canEdit }: PublishAppProps) {
  const publish = usePublishApp(workspaceId, path);
  const on = Boolean(publish.data?.published ?? published); // older answers may lack `app`
  return (
    <div className="publish-app" data-testid="publish-app">
      <label className="switch-label">
        <input
          type="checkbox"
          role="switch"
          checked={on}
          disabled={!canEdit || publish.isPending}
          onChange={(event) => publish.mutate(event.target.checked)}
        />
        Published as an app
      </label>
      {on ? (
        <Link to={appUrl(workspaceId, path)} className="muted">
          Open app page
        </Link>
      ) : (
        <span className="muted">Operators see and run only what is published.</span>
      )}
      {publish.error && <ErrorMessage error={publish.error} />}
    </div>
  );
}
