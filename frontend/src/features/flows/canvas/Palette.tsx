/**
 * What a "+" on the canvas offers: every kind of step. An inline script takes the language
 * chosen above the list; an existing script or a subflow asks for its path, searched in the
 * workspace's lists as one types. A non-modal dialog: Escape (or a click elsewhere) closes it.
 * The caller positions it (it flows where it is rendered).
 */
import "./palette.css";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useFlows } from "../../jobs/flow/queries";
import { useScripts } from "../../scripts/queries";
import { newModule, PALETTE_LANGUAGES } from "../model/edits";
import { useOptionalFlowEditorStore } from "../model/store";
import type { FlowDocument, FlowModule, PaletteKind } from "../model/types";

export interface PaletteProps {
  workspaceId: string;
  onPick: (module: FlowModule) => void;
  onClose: () => void;
  /** The document new ids must be free in; by default the editor store's (FlowEditorProvider). */
  doc?: FlowDocument;
}

export const PALETTE_ITEMS: readonly { kind: PaletteKind; label: string; hint: string }[] = [
  { kind: "rawscript", label: "Inline script", hint: "Code in the flow, in the language above" },
  { kind: "script", label: "Existing script", hint: "A script of the workspace" },
  { kind: "flow", label: "Subflow", hint: "Another flow, run as one step" },
  { kind: "forloopflow", label: "For loop", hint: "Its steps once per item of a list" },
  { kind: "whileloopflow", label: "While loop", hint: "Its steps until one stops the loop" },
  { kind: "branchone", label: "Branch (one)", hint: "The first branch whose condition holds" },
  { kind: "branchall", label: "Branch (all)", hint: "Every branch" },
  { kind: "approval", label: "Approval", hint: "Wait until someone approves" },
];

const EMPTY: FlowDocument = { value: { modules: [] } };
const MAX_RESULTS = 50;

function moveFocus(event: KeyboardEvent<HTMLElement>) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const items = Array.from(event.currentTarget.querySelectorAll<HTMLElement>("[data-palette-item]"));
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next = items[(at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length];
  if (next === undefined) return;
  event.preventDefault();
  next.focus();
}

export function Palette({ workspaceId, onPick, onClose, doc }: PaletteProps) {
  const store = useOptionalFlowEditorStore();
  const [language, setLanguage] = useState(PALETTE_LANGUAGES[0]?.id ?? "python3");
  const [searching, setSearching] = useState<"script" | "flow" | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const languageId = useId();
  const hintId = useId();

  // Read when picking, not subscribed: the palette does not re-render on every edit.
  const current = () => doc ?? store?.getState().doc ?? EMPTY;
  const pick = (kind: PaletteKind, opts: { language?: string; path?: string } = {}) =>
    onPick(newModule(kind, current(), opts));

  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    root.current?.querySelector<HTMLElement>("[data-palette-item]")?.focus();
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === "Escape") close.current();
    };
    const onPointer = (event: PointerEvent) => {
      if (event.target instanceof Node && !root.current?.contains(event.target)) close.current();
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, []);

  return (
    <div ref={root} className="flow-palette" role="dialog" aria-label="Add a step">
      {searching === null ? (
        <>
          <div className="flow-palette-language">
            <label htmlFor={languageId}>Language</label>
            <select id={languageId} value={language} onChange={(e) => setLanguage(e.target.value)}>
              {PALETTE_LANGUAGES.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
          <ul className="flow-palette-items" onKeyDown={moveFocus}>
            {PALETTE_ITEMS.map((item) => (
              <li key={item.kind}>
                <button
                  type="button"
                  data-palette-item
                  className="flow-palette-item"
                  aria-labelledby={`${hintId}-${item.kind}-name`}
                  aria-describedby={`${hintId}-${item.kind}`}
                  onClick={() =>
                    item.kind === "script" || item.kind === "flow"
                      ? setSearching(item.kind)
                      : pick(item.kind, item.kind === "rawscript" ? { language } : {})
                  }
                >
                  {/* Named by the label alone ("For loop"); the hint is its description. */}
                  <span className="flow-palette-label" id={`${hintId}-${item.kind}-name`}>
                    {item.label}
                  </span>
                  <span className="flow-palette-hint" id={`${hintId}-${item.kind}`}>
                    {item.hint}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <PathSearch
          workspaceId={workspaceId}
          kind={searching}
          onBack={() => setSearching(null)}
          onPick={(path) => pick(searching, { path })}
        />
      )}
    </div>
  );
}

interface PathSearchProps {
  workspaceId: string;
  kind: "script" | "flow";
  onBack: () => void;
  onPick: (path: string) => void;
}

function PathSearch(props: PathSearchProps) {
  return props.kind === "script" ? <ScriptSearch {...props} /> : <FlowSearch {...props} />;
}

function ScriptSearch(props: PathSearchProps) {
  const scripts = useScripts(props.workspaceId, { fresh: true });
  return <PathList {...props} items={scripts.data} pending={scripts.isPending} failed={scripts.isError} />;
}

function FlowSearch(props: PathSearchProps) {
  const flows = useFlows(props.workspaceId);
  return <PathList {...props} items={flows.data} pending={flows.isPending} failed={flows.isError} />;
}

interface PathListProps extends PathSearchProps {
  items: readonly { path: string; summary: string }[] | undefined;
  pending: boolean;
  failed: boolean;
}

function PathList({ kind, onBack, onPick, items, pending, failed }: PathListProps) {
  const [query, setQuery] = useState("");
  const searchId = useId();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    const hit = (text: string) => text.toLowerCase().includes(q);
    return (items ?? []).filter((item) => !q || hit(item.path) || hit(item.summary));
  }, [items, query]);
  const noun = kind === "script" ? "scripts" : "flows";

  return (
    <div className="flow-palette-search" onKeyDown={moveFocus}>
      <div className="flow-palette-search-head">
        <button type="button" className="flow-icon-button" onClick={onBack} aria-label="Back to the step kinds">
          ‹
        </button>
        <label htmlFor={searchId}>Search {noun}</label>
      </div>
      <input
        ref={input}
        id={searchId}
        type="search"
        data-palette-item
        value={query}
        placeholder="Path or summary"
        onChange={(e) => setQuery(e.target.value)}
        autoComplete="off"
      />
      {pending ? (
        <p className="muted">Loading {noun}…</p>
      ) : failed ? (
        <p className="muted">The {noun} could not be loaded.</p>
      ) : matches.length === 0 ? (
        <p className="muted">No {noun} match.</p>
      ) : (
        <ul className="flow-palette-items" aria-label={`Matching ${noun}`}>
          {matches.slice(0, MAX_RESULTS).map((item, i) => (
            <li key={item.path}>
              <button
                type="button"
                data-palette-item
                className="flow-palette-item"
                aria-labelledby={`${searchId}-${i}-name`}
                aria-describedby={item.summary ? `${searchId}-${i}` : undefined}
                onClick={() => onPick(item.path)}
              >
                <span className="flow-palette-label mono" id={`${searchId}-${i}-name`}>
                  {item.path}
                </span>
                {item.summary && (
                  <span className="flow-palette-hint" id={`${searchId}-${i}`}>
                    {item.summary}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
