import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { useState } from "react";
import { useLocation } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { setThemePreference } from "../../components/theme";
import { jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";
import { AppShortcuts } from "./AppShortcuts";
import { SEQUENCE_TIMEOUT_MS } from "./registry";
import { ShortcutsHelp } from "./ShortcutsHelp";
import { useShortcut } from "./useShortcut";

function Location() {
  const { pathname } = useLocation();
  return <div data-testid="location">{pathname}</div>;
}

function open() {
  mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/scripts": () => jsonResponse([]),
    "GET /api/w/demo/flows": () => jsonResponse([]),
    "GET /api/w/demo/schedules": () => jsonResponse([]),
    "GET /api/w/demo/apps": () => jsonResponse([]),
    "GET /api/w/demo/jobs": () => jsonResponse({ items: [], next_cursor: null }),
  });
  renderWithProviders(
    <>
      <App />
      <Location />
    </>,
    { route: "/w/demo/home" },
  );
}

function press(key: string, target: Element = document.activeElement ?? document.body, init: KeyboardEventInit = {}) {
  fireEvent.keyDown(target, { key, ...init });
}

beforeEach(() => {
  window.localStorage.clear();
  setThemePreference("system");
});

describe("Keyboard shortcuts", () => {
  it("opens the help sheet with ?, lists every shortcut, and closes with Escape", async () => {
    open();
    await screen.findByRole("heading", { name: "Home" });
    press("?", document.body, { shiftKey: true });

    const dialog = await screen.findByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    const rows = within(dialog)
      .getAllByRole("definition")
      .map((dd) => `${dd.previousElementSibling?.textContent ?? ""} — ${dd.textContent ?? ""}`);
    expect(rows).toEqual(
      expect.arrayContaining([
        "? — Show keyboard shortcuts",
        "g then r — Go to Runs",
        "g then h — Go to Home",
        "t — Switch between light and dark theme",
        "Ctrl/⌘ + Enter — Run",
        "Ctrl/⌘ + S — Save (editor)",
      ]),
    );
    expect(within(dialog).getByRole("button", { name: "Close" })).toHaveFocus();

    press("Escape");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("opens from the top bar, keeps Tab inside and gives focus back", async () => {
    open();
    const button = await screen.findByRole("button", { name: "Keyboard shortcuts" });
    button.focus();
    fireEvent.click(button);
    const dialog = await screen.findByRole("dialog");
    const close = within(dialog).getByRole("button", { name: "Close" });
    expect(close).toHaveFocus();
    // The close button is the only focusable element: Tab and Shift+Tab stay on it.
    press("Tab");
    expect(close).toHaveFocus();
    press("Tab", close, { shiftKey: true });
    expect(close).toHaveFocus();
    fireEvent.click(close);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(button).toHaveFocus();
  });

  it("goes to Runs with g r and to Settings with g t", async () => {
    open();
    await screen.findByRole("heading", { name: "Home" });
    press("g", document.body);
    press("r", document.body);
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/w/demo/runs"));
    press("g", document.body);
    press("t", document.body);
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent("/w/demo/settings"));
  });

  it("ignores single keys typed in a field", async () => {
    open();
    const search = await screen.findByRole("searchbox");
    search.focus();
    press("g", search);
    press("r", search);
    press("?", search, { shiftKey: true });
    press("t", search);
    expect(screen.getByTestId("location")).toHaveTextContent("/w/demo/home");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(document.documentElement.dataset.theme).not.toBe("dark");
  });

  it("forgets a lone g after a pause", async () => {
    vi.useFakeTimers();
    try {
      open();
      await vi.waitFor(() => screen.getByRole("heading", { name: "Home" }));
      press("g", document.body);
      act(() => vi.advanceTimersByTime(SEQUENCE_TIMEOUT_MS + 10));
      press("r", document.body);
      expect(screen.getByTestId("location")).toHaveTextContent("/w/demo/home");
    } finally {
      vi.useRealTimers();
    }
  });

  it("switches the theme with t", async () => {
    open();
    await screen.findByRole("heading", { name: "Home" });
    press("t", document.body);
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(window.localStorage.getItem("kiln.theme")).toBe("dark");
    expect(screen.getByRole("button", { name: "Dark" })).toHaveAttribute("aria-pressed", "true");
  });
});

function Runner({ onRun }: { onRun: () => void }) {
  const [count, setCount] = useState(0);
  useShortcut(
    "Mod+Enter",
    () => {
      setCount((c) => c + 1);
      onRun();
    },
    { description: "Run the script", group: "Editor" },
  );
  return (
    <div>
      <textarea aria-label="Code" />
      <span data-testid="runs">{count}</span>
    </div>
  );
}

describe("useShortcut", () => {
  it("registers a page's shortcut, lists it instead of the static one, and runs it from a field", async () => {
    const onRun = vi.fn();
    renderWithProviders(
      <>
        <AppShortcuts workspaceId="demo" onHelp={() => undefined} />
        <Runner onRun={onRun} />
        <ShortcutsHelp onClose={() => undefined} />
      </>,
    );
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).getByText("Run the script")).toBeInTheDocument();
    expect(within(dialog).queryByText("Run")).not.toBeInTheDocument();
    expect(within(dialog).getByRole("heading", { name: "Editor" })).toBeInTheDocument();
  });

  it("fires Mod combos even while typing", () => {
    const onRun = vi.fn();
    renderWithProviders(
      <>
        <AppShortcuts workspaceId="demo" onHelp={() => undefined} />
        <Runner onRun={onRun} />
      </>,
    );
    const code = screen.getByRole("textbox", { name: "Code" });
    code.focus();
    press("Enter", code, { ctrlKey: true });
    press("Enter", code, { metaKey: true });
    expect(onRun).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId("runs")).toHaveTextContent("2");
    // Plain Enter in the field is just typing.
    press("Enter", code);
    expect(onRun).toHaveBeenCalledTimes(2);
  });
});
