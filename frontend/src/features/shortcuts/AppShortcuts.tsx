import { useEffect } from "react";
import { useNavigate } from "react-router";
import { toggleTheme } from "../../components/theme";
import { workspaceUrl } from "../workspace/CurrentWorkspace";
import { listenForShortcuts } from "./registry";
import { useShortcut } from "./useShortcut";

/** Pages mark their search box with this attribute for the `/` shortcut. */
export const SEARCH_SELECTOR = '[data-shortcut="search"]';

/** Focuses the page's search box; false (so `/` is typed as usual) when it has none. */
export function focusSearch(): boolean {
  const box = document.querySelector<HTMLElement>(SEARCH_SELECTOR);
  if (box === null) return false;
  box.focus();
  if (box instanceof HTMLInputElement) box.select();
  return true;
}

function GoTo({ keys, to, label }: { keys: string; to: string; label: string }) {
  const navigate = useNavigate();
  useShortcut(keys, () => void navigate(to), { description: `Go to ${label}`, group: "Go to" });
  return null;
}

const DESTINATIONS: readonly { keys: string; page: string; label: string }[] = [
  { keys: "g h", page: "home", label: "Home" },
  { keys: "g c", page: "scripts", label: "Scripts" },
  { keys: "g f", page: "flows", label: "Flows" },
  { keys: "g r", page: "runs", label: "Runs" },
  { keys: "g s", page: "schedules", label: "Schedules" },
  { keys: "g t", page: "settings", label: "Settings" },
];

interface AppShortcutsProps {
  /** null outside a workspace: no `g …` navigation then. */
  workspaceId: string | null;
  onHelp: () => void;
}

/** The app shell's keyboard: installs the one key listener and the shortcuts every page has. */
export function AppShortcuts({ workspaceId, onHelp }: AppShortcutsProps) {
  useEffect(() => listenForShortcuts(document), []);
  useShortcut("?", onHelp, { description: "Show keyboard shortcuts" });
  useShortcut("/", focusSearch, { description: "Search (on pages with a search box)" });
  useShortcut("t", toggleTheme, { description: "Switch between light and dark theme" });
  if (workspaceId === null) return null;
  const base = workspaceUrl(workspaceId);
  return (
    <>
      {DESTINATIONS.map(({ keys, page, label }) => (
        <GoTo key={keys} keys={keys} to={`${base}/${page}`} label={label} />
      ))}
    </>
  );
}
