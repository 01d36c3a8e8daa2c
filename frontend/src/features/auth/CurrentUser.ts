import { createContext, useContext } from "react";
import type { Me } from "../../api/client";

export const CurrentUserContext = createContext<Me | null>(null);

/** The logged-in user; only usable below <RequireAuth>. */
export function useCurrentUser(): Me {
  const me = useContext(CurrentUserContext);
  if (me === null) throw new Error("useCurrentUser() used outside <RequireAuth>");
  return me;
}
