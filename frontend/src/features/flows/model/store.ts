/**
 * The flow editor's state: one zustand store per editor (a vanilla store handed down in a
 * React context, so two editors on a page never share one). The document is the single
 * source of truth; every change goes through `apply(edit)` with a pure edit from edits.ts,
 * which is what makes undo/redo a matter of keeping the previous documents.
 */
import { createContext, createElement, useContext, type ReactElement, type ReactNode } from "react";
import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";
import { deepEqual } from "./deepEqual";
import { cloneWithFreshIds, findModule, getList, insertModule } from "./edits";
import { INPUT_ID } from "./graph";
import type { FlowDocument, FlowModule, Position } from "./types";

/** Undo steps kept; older ones are dropped. */
export const HISTORY_LIMIT = 200;
/** Applies with the same `coalesce` key closer together than this merge into one undo step. */
export const COALESCE_MS = 1000;

export interface FlowEditorState {
  /** "" for a new flow. */
  path: string;
  doc: FlowDocument;
  /** The deployed version (null: never deployed). */
  savedDoc: FlowDocument | null;
  baseHash: string | null;
  /** A module id, "flow:input" (the inputs) or null. */
  selected: string | null;
  past: FlowDocument[];
  future: FlowDocument[];
  clipboard: FlowModule | null;
  /** The last test result per module id. */
  testResults: Record<string, unknown>;
  apply(edit: (doc: FlowDocument) => FlowDocument, opts?: { coalesce?: string }): void;
  undo(): void;
  redo(): void;
  select(id: string | null): void;
  setPath(path: string): void;
  load(doc: FlowDocument, opts: { path: string; baseHash: string | null; saved: boolean }): void;
  markDeployed(doc: FlowDocument, hash: string): void;
  copy(id: string): void;
  paste(at: Position): void;
  setTestResult(id: string, result: unknown): void;
}

export type FlowEditorData = Pick<
  FlowEditorState,
  "path" | "doc" | "savedDoc" | "baseHash" | "selected" | "past" | "future" | "clipboard" | "testResults"
>;

/** What a new flow starts from. */
export function emptyFlowDocument(): FlowDocument {
  return {
    summary: "",
    description: "",
    schema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {}, required: [] },
    value: { modules: [] },
  };
}

/**
 * The selection once `prev` became `next`: kept while its module exists; a module renamed in
 * place stays selected under its new id (the side panel does not close under the user's
 * typing); otherwise nothing is selected.
 */
function followSelection(prev: FlowDocument, next: FlowDocument, selected: string | null): string | null {
  if (selected === null || selected === INPUT_ID || findModule(next, selected) !== null) return selected;
  const before = findModule(prev, selected);
  if (before === null) return null;
  const there = getList(next, before.position.list)?.[before.position.index];
  return there !== undefined && findModule(prev, there.id) === null ? there.id : null;
}

function pushCapped(list: FlowDocument[], doc: FlowDocument): FlowDocument[] {
  const next = [...list, doc];
  return next.length > HISTORY_LIMIT ? next.slice(next.length - HISTORY_LIMIT) : next;
}

export function createFlowEditorStore(init: Partial<FlowEditorData> = {}): StoreApi<FlowEditorState> {
  // The last coalescing apply: kept outside the state, as no component renders it.
  let coalescing: { key: string; at: number } | null = null;

  return createStore<FlowEditorState>()((set, get) => ({
    path: "",
    doc: emptyFlowDocument(),
    savedDoc: null,
    baseHash: null,
    selected: null,
    past: [],
    future: [],
    clipboard: null,
    testResults: {},
    ...init,

    apply(edit, opts = {}) {
      const { doc, past, selected } = get();
      const next = edit(doc);
      if (next === doc) return;
      const now = Date.now();
      const key = opts.coalesce;
      const merge =
        key !== undefined && coalescing?.key === key && now - coalescing.at < COALESCE_MS && past.length > 0;
      coalescing = key === undefined ? null : { key, at: now };
      set({
        doc: next,
        // Merged: the undo step that already holds the document before the typing began.
        past: merge ? past : pushCapped(past, doc),
        future: [],
        selected: followSelection(doc, next, selected),
      });
    },

    undo() {
      const { doc, past, future, selected } = get();
      const previous = past[past.length - 1];
      if (previous === undefined) return;
      coalescing = null;
      set({
        doc: previous,
        past: past.slice(0, -1),
        future: [doc, ...future],
        selected: followSelection(doc, previous, selected),
      });
    },

    redo() {
      const { doc, past, future, selected } = get();
      const [following, ...rest] = future;
      if (following === undefined) return;
      coalescing = null;
      set({
        doc: following,
        past: pushCapped(past, doc),
        future: rest,
        selected: followSelection(doc, following, selected),
      });
    },

    select(id) {
      set({ selected: id });
    },

    setPath(path) {
      set({ path });
    },

    load(doc, { path, baseHash, saved }) {
      coalescing = null;
      set({ doc, path, baseHash, savedDoc: saved ? doc : null, selected: null, past: [], future: [], testResults: {} });
    },

    markDeployed(doc, hash) {
      set({ savedDoc: doc, baseHash: hash });
    },

    copy(id) {
      const found = findModule(get().doc, id);
      if (found) set({ clipboard: found.module });
    },

    paste(at) {
      const { clipboard, doc } = get();
      if (clipboard === null) return;
      const copy = cloneWithFreshIds(clipboard, doc);
      get().apply((d) => insertModule(d, at, copy));
      if (get().doc !== doc) set({ selected: copy.id });
    },

    setTestResult(id, result) {
      set({ testResults: { ...get().testResults, [id]: result } });
    },
  }));
}

/** The document differs from the deployed one (a flow never deployed always does). */
export function isDirty(s: FlowEditorState): boolean {
  return s.savedDoc === null || !deepEqual(s.doc, s.savedDoc);
}

const FlowEditorContext = createContext<StoreApi<FlowEditorState> | null>(null);

export function FlowEditorProvider({
  store,
  children,
}: {
  store: StoreApi<FlowEditorState>;
  children?: ReactNode;
}): ReactElement {
  return createElement(FlowEditorContext.Provider, { value: store }, children);
}

export function useFlowEditorStore(): StoreApi<FlowEditorState> {
  const store = useContext(FlowEditorContext);
  if (store === null) throw new Error("useFlowEditor needs a <FlowEditorProvider> above it");
  return store;
}

/** The editor's store when inside a FlowEditorProvider, else null (for parts that work without). */
export function useOptionalFlowEditorStore(): StoreApi<FlowEditorState> | null {
  return useContext(FlowEditorContext);
}

/** A slice of the editor's state; the component re-renders when the slice changes (by Object.is). */
export function useFlowEditor<T>(selector: (s: FlowEditorState) => T): T {
  return useStore(useFlowEditorStore(), selector);
}
