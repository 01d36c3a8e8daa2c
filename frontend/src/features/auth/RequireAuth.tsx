import { Navigate, Outlet, useLocation } from "react-router";
import { isApiError } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { CurrentUserContext } from "./CurrentUser";
import { useMeQuery } from "./queries";

/** Loads /api/auth/me; sends anonymous visitors to /login. */
export function RequireAuth() {
  const me = useMeQuery();
  const location = useLocation();

  if (me.isPending) {
    return (
      <div className="page-center">
        <Loading label="Loading your session…" />
      </div>
    );
  }
  if (me.isError) {
    if (isApiError(me.error, 401)) {
      return <Navigate to="/login" replace state={{ from: location.pathname }} />;
    }
    return (
      <div className="page-center">
        <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />
      </div>
    );
  }
  return (
    <CurrentUserContext.Provider value={me.data}>
      <Outlet />
    </CurrentUserContext.Provider>
  );
}
