import { Fragment } from "react";
import { Dialog } from "../../components/Dialog";
import { displayKeys, parseKeys } from "./keys";
import { useRegisteredShortcuts, type Shortcut } from "./registry";

interface Entry {
  keys: string;
  description: string;
  group: string;
}

/**
 * Shortcuts that pages register only while open (the editor's), listed anyway
 * so that they can be discovered from anywhere.
 */
export const STATIC_SHORTCUTS: readonly Entry[] = [
  { keys: "Mod+Enter", description: "Run", group: "Scripts and editor" },
  { keys: "Mod+s", description: "Save (editor)", group: "Scripts and editor" },
  { keys: "Escape", description: "Close a dialog", group: "General" },
];

/** Registered shortcuts plus the static ones whose keys no registration took, by group. */
export function helpEntries(registered: readonly Shortcut[]): [string, Entry[]][] {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  // Latest first: a page's registration replaces a global one with the same keys.
  for (const s of [...registered].reverse()) {
    const key = parseKeys(s.keys).join(" ");
    if (seen.has(key)) continue;
    seen.add(key);
    entries.unshift({ keys: s.keys, description: s.description, group: s.group });
  }
  for (const s of STATIC_SHORTCUTS) {
    if (!seen.has(parseKeys(s.keys).join(" "))) entries.push(s);
  }
  const groups = new Map<string, Entry[]>();
  for (const entry of entries) groups.set(entry.group, [...(groups.get(entry.group) ?? []), entry]);
  // "General" first; the other groups in the order they were met.
  return [...groups.entries()].sort(([a], [b]) => Number(b === "General") - Number(a === "General"));
}

function Keys({ keys }: { keys: string }) {
  return (
    <span className="shortcut-keys">
      {displayKeys(keys).map((step, i) => (
        <Fragment key={i}>
          {i > 0 && <span className="muted"> then </span>}
          {step.map((key, j) => (
            <Fragment key={j}>
              {j > 0 && " + "}
              <kbd>{key}</kbd>
            </Fragment>
          ))}
        </Fragment>
      ))}
    </span>
  );
}

/** The `?` sheet: every shortcut the current page answers to. */
export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const groups = helpEntries(useRegisteredShortcuts());
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} className="shortcuts-dialog">
      <p className="muted shortcuts-note">Single keys do nothing while you type in a field; Ctrl/⌘ combos always work.</p>
      {groups.map(([group, entries]) => (
        <section key={group} aria-label={group}>
          <h3 className="subheading">{group}</h3>
          <dl className="shortcut-list">
            {entries.map((entry) => (
              <div key={entry.keys} className="shortcut-row">
                <dt>
                  <Keys keys={entry.keys} />
                </dt>
                <dd>{entry.description}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </Dialog>
  );
}
