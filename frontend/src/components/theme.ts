import { useSyncExternalStore } from "react";

/** What the user picked; "system" follows the OS (prefers-color-scheme), live. */
export type ThemePreference = "light" | "dark" | "system";
/** What is on screen: `data-theme` on <html>. */
export type Theme = "light" | "dark";

/**
 * localStorage key of the preference. The inline script in index.html reads the
 * same key before the first paint (so a dark page never flashes white); keep both in step.
 */
export const THEME_STORAGE_KEY = "kiln.theme";

export const THEME_PREFERENCES: readonly ThemePreference[] = ["light", "dark", "system"];

const DARK_QUERY = "(prefers-color-scheme: dark)";

function isPreference(value: unknown): value is ThemePreference {
  return value === "light" || value === "dark" || value === "system";
}

/** The stored preference; "system" when none (or storage is unavailable, e.g. blocked cookies). */
export function readPreference(): ThemePreference {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isPreference(stored) ? stored : "system";
  } catch {
    return "system";
  }
}

function darkQuery(): MediaQueryList | null {
  // jsdom and very old browsers have no matchMedia.
  return typeof window.matchMedia === "function" ? window.matchMedia(DARK_QUERY) : null;
}

export function resolveTheme(preference: ThemePreference, systemDark: boolean): Theme {
  if (preference === "system") return systemDark ? "dark" : "light";
  return preference;
}

interface ThemeState {
  preference: ThemePreference;
  theme: Theme;
}

let state: ThemeState = compute(readPreference());
const listeners = new Set<() => void>();

function compute(preference: ThemePreference): ThemeState {
  return { preference, theme: resolveTheme(preference, darkQuery()?.matches ?? false) };
}

function publish(next: ThemeState): void {
  document.documentElement.dataset.theme = next.theme;
  if (next.preference === state.preference && next.theme === state.theme) return;
  state = next;
  listeners.forEach((listener) => listener());
}

/** Stores and applies a preference. */
export function setThemePreference(preference: ThemePreference): void {
  try {
    if (preference === "system") window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, preference);
  } catch {
    // Not remembered, but still applied for this page.
  }
  publish(compute(preference));
}

/** Flips what is on screen: the opposite of the current theme becomes an explicit choice. */
export function toggleTheme(): void {
  setThemePreference(state.theme === "dark" ? "light" : "dark");
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const query = darkQuery();
  // While on "system", an OS switch (e.g. at sunset) re-themes the open page.
  const onSystemChange = () => {
    if (state.preference === "system") publish(compute("system"));
  };
  query?.addEventListener("change", onSystemChange);
  return () => {
    listeners.delete(listener);
    query?.removeEventListener("change", onSystemChange);
  };
}

function snapshot(): ThemeState {
  return state;
}

/** The current preference and resolved theme, re-rendering when either changes. */
export function useTheme(): ThemeState {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
