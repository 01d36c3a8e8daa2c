/**
 * Asks before leaving a page with unsaved changes: a Stay/Leave dialog for
 * in-app navigation, the browser's own prompt for reloads and closing the tab.
 *
 * react-router's useBlocker only works under a data router. The app mounts one
 * (main.tsx: createBrowserRouter), so there the guard uses useBlocker, which also
 * stops Back/Forward. Unit tests mount a declarative <MemoryRouter>, where
 * useBlocker throws: there it wraps the router's navigator instead, which catches
 * every <Link> and navigate() (not Back, which a MemoryRouter test does not use).
 */
import { useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { Dialog } from "../../components/Dialog";
import {
  UNSAFE_DataRouterContext as DataRouterContext,
  UNSAFE_NavigationContext as NavigationContext,
  useBlocker,
  useLocation,
  type To,
} from "react-router";

export interface UnsavedGuard {
  /** The confirm dialog, to render while a navigation waits for an answer. */
  dialog: ReactNode;
  /** Runs `go` (a navigation) without asking: the changes were just saved. */
  bypass: (go: () => void) => void;
}

interface Pending {
  proceed: () => void;
  reset: () => void;
}

function pathnameOf(to: To, current: string): string {
  if (typeof to !== "string") return to.pathname ?? current;
  return new URL(to, `http://x${current}`).pathname;
}

/** Both guards' shared part: the "ask?" test, reading the latest answers through refs. */
function useShouldBlock(dirty: boolean) {
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const bypassing = useRef(false);
  const shouldBlock = useCallback(
    (from: string, to: string) => dirtyRef.current && !bypassing.current && from !== to,
    [],
  );
  const bypass = useCallback((go: () => void) => {
    bypassing.current = true;
    try {
      go();
    } finally {
      // useBlocker decides synchronously, within go(); the flag must not outlive it.
      bypassing.current = false;
    }
  }, []);
  return { shouldBlock, bypass };
}

function useDataRouterGuard(dirty: boolean): { pending: Pending | null; bypass: (go: () => void) => void } {
  const { shouldBlock, bypass } = useShouldBlock(dirty);
  const blocker = useBlocker(({ currentLocation, nextLocation }) =>
    shouldBlock(currentLocation.pathname, nextLocation.pathname),
  );
  const pending = blocker.state === "blocked" ? { proceed: blocker.proceed, reset: blocker.reset } : null;
  return { pending, bypass };
}

function useNavigatorGuard(dirty: boolean): { pending: Pending | null; bypass: (go: () => void) => void } {
  const { shouldBlock, bypass } = useShouldBlock(dirty);
  const { navigator } = useContext(NavigationContext);
  const location = useLocation();
  const here = useRef(location.pathname);
  here.current = location.pathname;
  const [pending, setPending] = useState<Pending | null>(null);

  useEffect(() => {
    const { push, replace } = navigator;
    // react-router calls these unbound (history's methods are closures), so plain functions do.
    const guarded =
      (original: typeof push) =>
      (...args: Parameters<typeof push>): void => {
        if (!shouldBlock(here.current, pathnameOf(args[0], here.current))) {
          original(...args);
          return;
        }
        setPending({
          proceed: () => {
            setPending(null);
            original(...args);
          },
          reset: () => setPending(null),
        });
      };
    navigator.push = guarded(push);
    navigator.replace = guarded(replace);
    return () => {
      navigator.push = push;
      navigator.replace = replace;
    };
  }, [navigator, shouldBlock]);

  return { pending, bypass };
}

function useBeforeUnload(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = ""; // older browsers only prompt when returnValue is set
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
}

function LeaveDialog({ pending }: { pending: Pending }) {
  return (
    <Dialog title="Leave with unsaved changes?" onClose={pending.reset}>
      <p className="muted">Your changes are kept as a draft in this browser, but they are not saved as a version.</p>
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={pending.reset}>
          Stay
        </button>
        <button type="button" className="button" onClick={pending.proceed}>
          Leave
        </button>
      </div>
    </Dialog>
  );
}

// Whether there is a data router never changes while the page is mounted, so
// each component below calls its own hooks unconditionally.
export function useUnsavedGuard(dirty: boolean): UnsavedGuard {
  const dataRouter = useContext(DataRouterContext) !== null;
  const useGuard = dataRouter ? useDataRouterGuard : useNavigatorGuard;
  const { pending, bypass } = useGuard(dirty);
  useBeforeUnload(dirty);
  return { dialog: pending ? <LeaveDialog pending={pending} /> : null, bypass };
}
