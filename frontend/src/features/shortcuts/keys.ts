/**
 * How shortcuts are written: space-separated steps (`"g h"` is g, then h), each
 * step optional modifiers and a key joined by `+` (`"Mod+Enter"`, `"Mod+s"`).
 * `Mod` is Ctrl, or ⌘ on a Mac. A printable key is written as the character it
 * types, so `?` already implies Shift; named keys take `Shift+` explicitly.
 */

const MODIFIER_KEYS = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock", "AltGraph", "Fn", "OS"]);

/** One keydown as a step (`"g"`, `"?"`, `"Mod+Enter"`); null for a modifier pressed alone. */
export function eventStep(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">): string | null {
  const { key } = event;
  if (key === undefined || key === "" || MODIFIER_KEYS.has(key)) return null;
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push("Mod");
  if (event.altKey) parts.push("Alt");
  const printable = key.length === 1;
  // With Ctrl or Alt a letter is named by the key, so Shift must be spelled out.
  if (event.shiftKey && (!printable || parts.length > 0)) parts.push("Shift");
  if (key === " ") parts.push("Space");
  else parts.push(printable && parts.length > 0 ? key.toLowerCase() : key);
  return parts.join("+");
}

/** A shortcut's steps in the same form eventStep gives (`"Mod+S"` → `["Mod+s"]`). The `+` key itself is not supported. */
export function parseKeys(keys: string): string[] {
  return keys
    .trim()
    .split(/\s+/)
    .filter((step) => step !== "")
    .map((step) => {
      const parts = step.split("+");
      const key = parts.pop() ?? "";
      return [...parts, key.length === 1 && parts.length > 0 ? key.toLowerCase() : key].join("+");
    });
}

/** Mod combos and Escape act even while the user types in a field (Ctrl+S must save from the editor). */
export function worksWhileTyping(step: string): boolean {
  return step === "Escape" || step.startsWith("Mod+");
}

/**
 * True when keys typed at `target` are text: inputs that take text, textareas,
 * selects, contenteditable and the CodeMirror editor.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest(".cm-editor, [contenteditable=''], [contenteditable='true']")) return true;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file", "image"].includes(target.type);
  }
  return false;
}

const KEY_NAMES: Record<string, string> = {
  Mod: "Ctrl/⌘",
  Alt: "Alt",
  Shift: "Shift",
  Enter: "Enter",
  Escape: "Esc",
  Space: "Space",
  ArrowUp: "↑",
  ArrowDown: "↓",
  ArrowLeft: "←",
  ArrowRight: "→",
};

/** A shortcut for display: each step as the keys pressed together (`[["Ctrl/⌘", "Enter"]]`, `[["g"], ["h"]]`). */
export function displayKeys(keys: string): string[][] {
  return parseKeys(keys).map((step) => {
    const parts = step.split("+");
    const withModifier = parts.length > 1;
    // "Ctrl/⌘ + S" reads as on the keycap; a lone "g" stays lower case, as typed.
    return parts.map((part) => KEY_NAMES[part] ?? (withModifier && part.length === 1 ? part.toUpperCase() : part));
  });
}
