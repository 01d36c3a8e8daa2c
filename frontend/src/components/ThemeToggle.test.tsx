import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readPreference, resolveTheme, setThemePreference, THEME_STORAGE_KEY } from "./theme";
import { ThemeToggle } from "./ThemeToggle";

/** A prefers-color-scheme query whose answer the test flips. */
function fakeSystem(dark: boolean) {
  const listeners = new Set<() => void>();
  const query = {
    get matches() {
      return dark;
    },
    media: "(prefers-color-scheme: dark)",
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  Object.defineProperty(window, "matchMedia", { configurable: true, value: () => query });
  return {
    set(next: boolean) {
      dark = next;
      listeners.forEach((listener) => listener());
    },
  };
}

function theme(): string | undefined {
  return document.documentElement.dataset.theme;
}

beforeEach(() => {
  window.localStorage.clear();
});

afterEach(() => {
  Reflect.deleteProperty(window, "matchMedia");
  setThemePreference("system");
});

describe("Theme toggle", () => {
  it("switches to dark and light and remembers the choice", () => {
    fakeSystem(false);
    setThemePreference("system");
    render(<ThemeToggle />);
    expect(screen.getByRole("button", { name: "System" })).toHaveAttribute("aria-pressed", "true");
    expect(theme()).toBe("light");

    fireEvent.click(screen.getByRole("button", { name: "Dark" }));
    expect(theme()).toBe("dark");
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");
    expect(screen.getByRole("button", { name: "Dark" })).toHaveAttribute("aria-pressed", "true");
    expect(readPreference()).toBe("dark");

    fireEvent.click(screen.getByRole("button", { name: "Light" }));
    expect(theme()).toBe("light");
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe("light");
  });

  it("follows the system live on System, and not otherwise", () => {
    const system = fakeSystem(false);
    setThemePreference("light");
    render(<ThemeToggle />);
    fireEvent.click(screen.getByRole("button", { name: "System" }));
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
    expect(theme()).toBe("light");

    act(() => system.set(true));
    expect(theme()).toBe("dark");

    fireEvent.click(screen.getByRole("button", { name: "Light" }));
    act(() => system.set(false));
    act(() => system.set(true));
    expect(theme()).toBe("light");
  });

  it("resolves a preference against the system", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("treats a garbled stored value as System", () => {
    window.localStorage.setItem(THEME_STORAGE_KEY, "purple");
    expect(readPreference()).toBe("system");
  });
});
