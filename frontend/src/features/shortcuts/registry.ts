import { useSyncExternalStore } from "react";
import { eventStep, isTypingTarget, parseKeys, worksWhileTyping } from "./keys";

/** Returning false means "not handled here": the key then does what it normally does. */
export type ShortcutHandler = (event: KeyboardEvent) => void | boolean;

export interface ShortcutOptions {
  /** Shown in the `?` help sheet. */
  description: string;
  /** Also act while the user types in a field (Mod combos and Escape always do). */
  global?: boolean;
  /** Heading it is listed under in the help sheet; default "General". */
  group?: string;
}

export interface Shortcut extends Required<ShortcutOptions> {
  id: number;
  keys: string;
  steps: string[];
  handler: ShortcutHandler;
}

/** How long the first key of a sequence (`g`) waits for the next. */
export const SEQUENCE_TIMEOUT_MS = 1500;

let nextId = 1;
let shortcuts: readonly Shortcut[] = [];
const listeners = new Set<() => void>();

function changed(): void {
  listeners.forEach((listener) => listener());
}

/** Adds a shortcut; the returned function removes it. The latest registration of the same keys wins. */
export function registerShortcut(keys: string, handler: ShortcutHandler, options: ShortcutOptions): () => void {
  const shortcut: Shortcut = {
    id: nextId++,
    keys,
    steps: parseKeys(keys),
    handler,
    description: options.description,
    global: options.global ?? false,
    group: options.group ?? "General",
  };
  shortcuts = [...shortcuts, shortcut];
  changed();
  return () => {
    shortcuts = shortcuts.filter((s) => s.id !== shortcut.id);
    changed();
  };
}

/** Registered shortcuts, in registration order (re-renders on change). */
export function useRegisteredShortcuts(): readonly Shortcut[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => shortcuts,
    () => shortcuts,
  );
}

function startsWith(steps: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length < steps.length && prefix.every((step, i) => steps[i] === step);
}

function sameSteps(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((step, i) => b[i] === step);
}

/**
 * The one keydown listener: matches keys (and `g h` sequences) against the
 * registry. Installed once by the app shell; returns its removal.
 */
export function listenForShortcuts(target: Document = document): () => void {
  let pending: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  function reset(): void {
    pending = [];
    clearTimeout(timer);
  }

  function onKeyDown(event: KeyboardEvent): void {
    // Already handled (e.g. by CodeMirror's own keymap), or mid-IME composition.
    if (event.defaultPrevented || event.isComposing) return;
    // A modal dialog owns the keyboard while it is open.
    if (target.querySelector('[aria-modal="true"]') !== null) return reset();
    const step = eventStep(event);
    if (step === null) return;
    const typing = isTypingTarget(event.target);
    if (typing && !worksWhileTyping(step)) return reset();
    const usable = shortcuts.filter((s) => !typing || s.global || s.steps.every(worksWhileTyping));

    for (const sequence of pending.length > 0 ? [[...pending, step], [step]] : [[step]]) {
      const match = [...usable].reverse().find((s) => sameSteps(s.steps, sequence));
      if (match !== undefined) {
        reset();
        if (match.handler(event) !== false) event.preventDefault();
        return;
      }
      if (usable.some((s) => startsWith(s.steps, sequence))) {
        reset();
        pending = sequence;
        timer = setTimeout(reset, SEQUENCE_TIMEOUT_MS);
        return;
      }
    }
    reset();
  }

  target.addEventListener("keydown", onKeyDown);
  return () => {
    reset();
    target.removeEventListener("keydown", onKeyDown);
  };
}
