import { Navigate } from "react-router";
import { Layout } from "../../components/Layout";
import { appsUrl } from "../apps/queries";
import { useCurrentUser } from "../auth/CurrentUser";
import { workspaceUrl } from "./CurrentWorkspace";

/** `/`: the current workspace is the user's first one; operators land on its apps. */
export function HomeRedirect() {
  const me = useCurrentUser();
  const first = me.workspaces[0];
  if (first === undefined) {
    return (
      <Layout workspace={null}>
        <div className="panel">
          <h1>No workspace yet</h1>
          <p className="muted">
            {me.email} is not a member of any workspace. Ask an administrator to add you to one.
          </p>
        </div>
      </Layout>
    );
  }
  const to = first.role === "operator" ? appsUrl(first.id) : `${workspaceUrl(first.id)}/home`;
  return <Navigate to={to} replace />;
}
