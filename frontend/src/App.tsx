import { Navigate, Route, Routes } from "react-router";
import { NotFound } from "./components/NotFound";
import { AccessPage } from "./features/access/AccessPage";
import { LoginPage } from "./features/auth/LoginPage";
import { RequireAuth } from "./features/auth/RequireAuth";
import { JobPage } from "./features/jobs/JobPage";
import { RunsPage } from "./features/jobs/RunsPage";
import { NewSchedulePage } from "./features/schedules/NewSchedulePage";
import { ScheduleDetailPage } from "./features/schedules/ScheduleDetailPage";
import { SchedulesPage } from "./features/schedules/SchedulesPage";
import { ScriptDetailPage } from "./features/scripts/ScriptDetailPage";
import { ScriptsPage } from "./features/scripts/ScriptsPage";
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
          <Route index element={<Navigate to="scripts" replace />} />
          <Route path="scripts" element={<ScriptsPage />} />
          <Route path="scripts/p/*" element={<ScriptDetailPage />} />
          <Route path="runs" element={<RunsPage />} />
          <Route path="runs/:id" element={<JobPage />} />
          <Route path="schedules" element={<SchedulesPage />} />
          <Route path="schedules/new" element={<NewSchedulePage />} />
          <Route path="schedules/p/*" element={<ScheduleDetailPage />} />
          <Route path="access" element={<AccessPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
