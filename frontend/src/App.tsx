import { Navigate, Route, Routes } from "react-router";
import { NotFound } from "./components/NotFound";
import { AccessPage } from "./features/access/AccessPage";
import { AppPage } from "./features/apps/AppPage";
import { AppsIndexPage } from "./features/apps/AppsIndexPage";
import { AppsRoute } from "./features/apps/AppsRoute";
import { EditScriptPage, NewScriptPage } from "./features/editor/ScriptEditorPage";
import { LazyEditFlowPage, LazyFlowDetailPage, LazyNewFlowPage } from "./features/flows/editor/lazy";
import { FlowsPage } from "./features/flows/FlowsPage";
import { HomePage } from "./features/home/HomePage";
import { LoginPage } from "./features/auth/LoginPage";
import { RequireAuth } from "./features/auth/RequireAuth";
import { JobPage } from "./features/jobs/JobPage";
import { RunsPage } from "./features/jobs/RunsPage";
import { NewSchedulePage } from "./features/schedules/NewSchedulePage";
import { ScheduleDetailPage } from "./features/schedules/ScheduleDetailPage";
import { SchedulesPage } from "./features/schedules/SchedulesPage";
import { SettingsPage } from "./features/settings/SettingsPage";
import { ScriptDetailPage } from "./features/scripts/ScriptDetailPage";
import { ScriptsPage } from "./features/scripts/ScriptsPage";
import { LazyResourcesPage, LazyVariablesPage } from "./features/vault/lazy";
import { WorkersPage } from "./features/workers/WorkersPage";
import { HomeRedirect } from "./features/workspace/HomeRedirect";
import { WorkspaceRoute } from "./features/workspace/WorkspaceRoute";

/** All routes; main.tsx supplies the BrowserRouter and QueryClient. */
export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth />}>
        <Route index element={<HomeRedirect />} />
        <Route path="w/:ws" element={<WorkspaceRoute />}>
          <Route index element={<Navigate to="home" replace />} />
          <Route path="home" element={<HomePage />} />
          <Route path="scripts" element={<ScriptsPage />} />
          <Route path="scripts/p/*" element={<ScriptDetailPage />} />
          <Route path="scripts/new" element={<NewScriptPage />} />
          <Route path="scripts/edit/*" element={<EditScriptPage />} />
          <Route path="flows" element={<FlowsPage />} />
          <Route path="flows/new" element={<LazyNewFlowPage />} />
          <Route path="flows/edit/*" element={<LazyEditFlowPage />} />
          <Route path="flows/p/*" element={<LazyFlowDetailPage />} />
          <Route path="runs" element={<RunsPage />} />
          <Route path="runs/:id" element={<JobPage />} />
          <Route path="schedules" element={<SchedulesPage />} />
          <Route path="schedules/new" element={<NewSchedulePage />} />
          <Route path="schedules/p/*" element={<ScheduleDetailPage />} />
          <Route path="variables" element={<LazyVariablesPage />} />
          <Route path="resources" element={<LazyResourcesPage />} />
          <Route path="workers" element={<WorkersPage />} />
          <Route path="access" element={<AccessPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route path="apps/:ws" element={<AppsRoute />}>
          <Route index element={<AppsIndexPage />} />
          <Route path="*" element={<AppPage />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
