/**
 * The editor's state in one reducer: the document being edited and the saved
 * version it started from. "Unsaved changes" is the difference between the two.
 */
import { useMemo, useReducer } from "react";
import { sameDoc, type EditorDoc } from "./draft";
import { isTemplate, languageInfo } from "./languages";
import type { SchemaEdits } from "./schemaEdits";

export interface EditorState {
  doc: EditorDoc;
  /** The saved version (for a new script: the untouched template). */
  base: EditorDoc;
  /** The saved version's hash; null until the script is first saved. */
  baseHash: string | null;
}

export type EditorAction =
  | { type: "path"; path: string }
  | { type: "content"; content: string }
  | { type: "summary"; summary: string }
  | { type: "description"; description: string }
  | { type: "edits"; edits: SchemaEdits }
  | { type: "language"; language: string }
  /** A draft or an old version replaces the document; the base stays. */
  | { type: "replace"; doc: EditorDoc }
  /** `saved` is now the saved version (what was sent, not what was typed since). */
  | { type: "saved"; saved: EditorDoc; hash: string };

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case "path":
      return { ...state, doc: { ...state.doc, path: action.path } };
    case "content":
      return { ...state, doc: { ...state.doc, content: action.content } };
    case "summary":
      return { ...state, doc: { ...state.doc, summary: action.summary } };
    case "description":
      return { ...state, doc: { ...state.doc, description: action.description } };
    case "edits":
      return { ...state, doc: { ...state.doc, edits: action.edits } };
    case "language": {
      // Untouched template code follows the language; the user's own code never changes under them.
      const template = languageInfo(action.language)?.template;
      const content = template !== undefined && isTemplate(state.doc.content) ? template : state.doc.content;
      return { ...state, doc: { ...state.doc, language: action.language, content } };
    }
    case "replace":
      return { ...state, doc: action.doc };
    case "saved":
      return { ...state, base: action.saved, baseHash: action.hash };
  }
}

export function useEditorStore(initial: () => EditorState) {
  const [state, dispatch] = useReducer(editorReducer, undefined, initial);
  const dirty = useMemo(() => !sameDoc(state.doc, state.base), [state.doc, state.base]);
  return { state, dispatch, dirty };
}
