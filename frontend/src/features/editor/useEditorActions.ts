import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type Dispatch } from "react";
import { useNavigate } from "react-router";
import { isApiError, type Script } from "../../api/client";
import { toArgs, type FormValue } from "../forms/schemaForm";
import { isRecord } from "../forms/schemaKind";
import { jobUrl } from "../jobs/links";
import { useRunScript } from "../jobs/queries";
import { inferSchemaQuery, useSaveScript } from "../scripts/queries";
import type { EditorDoc } from "./draft";
import type { EditorAction, EditorState } from "./editorStore";
import { editScriptUrl, shortHash } from "./links";
import { applyEdits } from "./schemaEdits";

export type EditorStatus =
  | { kind: "idle" }
  | { kind: "busy"; message: string }
  | { kind: "saved"; message: string }
  | { kind: "error"; message: string };

/** An API error's message, with the line it names (a syntax error on save). */
function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const detail = isApiError(error) && isRecord(error.detail) ? error.detail : {};
  return typeof detail.line === "number" ? `Line ${detail.line}: ${error.message}` : error.message;
}

/**
 * A save that made no new version may still have changed the summary or the
 * description (not part of the hash: the server updates them in place).
 */
function unversionedMessage(script: Script, base: EditorDoc): string {
  const changed = [
    script.summary !== base.summary && "summary",
    (script.description ?? "") !== base.description && "description",
  ].filter((name) => name !== false);
  return changed.length === 0 ? "No changes" : `Saved the ${changed.join(" and ")}: still version ${shortHash(script.hash)}`;
}

interface EditorActionsOptions {
  workspaceId: string;
  state: EditorState;
  dirty: boolean;
  dispatch: Dispatch<EditorAction>;
  isNew: boolean;
  /** Navigates without the unsaved-changes prompt (the changes were just saved). */
  bypass: (go: () => void) => void;
  /** The draft is obsolete once saved. */
  onSaved: () => void;
  /** The preview form: whether its values can be sent, the values, and the schema it shows. */
  preview: { trySubmit: () => boolean; value: FormValue; schema: unknown };
  initialStatus?: string;
}

/** Save (a new version, when the code or form changed) and Save & run. */
export function useEditorActions(options: EditorActionsOptions) {
  const { workspaceId, state, dirty, dispatch, isNew, bypass, onSaved, preview, initialStatus } = options;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const saveScript = useSaveScript(workspaceId);
  const runScript = useRunScript(workspaceId);
  const [status, setStatus] = useState<EditorStatus>(
    initialStatus ? { kind: "saved", message: initialStatus } : { kind: "idle" },
  );
  // Ctrl+S held down repeats: one save at a time.
  const busy = useRef(false);

  async function persist(): Promise<{ script: Script; message: string } | null> {
    const doc = state.doc;
    if (doc.path.trim() === "") {
      setStatus({ kind: "error", message: "A path is required, e.g. u/you/hello or f/folder/hello" });
      return null;
    }
    setStatus({ kind: "busy", message: "Saving…" });
    try {
      // The schema of exactly this code: the live one may be a keystroke behind.
      const { schema: inferred } = await queryClient.fetchQuery(inferSchemaQuery(workspaceId, doc.language, doc.content));
      const { script, created } = await saveScript.mutateAsync({
        path: doc.path.trim(),
        language: doc.language,
        content: doc.content,
        summary: doc.summary,
        description: doc.description,
        schema: applyEdits(inferred, doc.edits),
      });
      onSaved();
      dispatch({ type: "saved", saved: doc, hash: script.hash });
      const message = created
        ? `Saved version ${shortHash(script.hash)}`
        : script.hash === state.baseHash
          ? unversionedMessage(script, state.base)
          : `Saved: version ${shortHash(script.hash)} is the latest again`;
      setStatus({ kind: "saved", message });
      return { script, message };
    } catch (error) {
      setStatus({ kind: "error", message: errorMessage(error) });
      return null;
    }
  }

  async function save(): Promise<void> {
    if (busy.current) return;
    busy.current = true;
    try {
      const saved = await persist();
      // A new script lives at its path from now on: edit it there (the draft key follows).
      if (saved !== null && isNew) {
        const to = editScriptUrl(workspaceId, saved.script.path);
        bypass(() => void navigate(to, { replace: true, state: { saved: saved.message } }));
      }
    } finally {
      busy.current = false;
    }
  }

  async function saveAndRun(): Promise<void> {
    if (busy.current) return;
    if (!preview.trySubmit()) {
      setStatus({ kind: "error", message: "Fill in the form preview to run the script" });
      return;
    }
    busy.current = true;
    try {
      let { schema } = preview;
      let path = state.doc.path.trim();
      if (dirty || state.baseHash === null) {
        const saved = await persist();
        if (saved === null) return;
        ({ schema, path } = saved.script); // exactly what the run will be checked against
      }
      setStatus({ kind: "busy", message: "Starting the run…" });
      const args = toArgs(schema, preview.value);
      const { id } = await runScript.mutateAsync({ path, args });
      bypass(() => void navigate(jobUrl(workspaceId, id)));
    } catch (error) {
      setStatus({ kind: "error", message: errorMessage(error) });
    } finally {
      busy.current = false;
    }
  }

  const pending = saveScript.isPending || runScript.isPending;
  return { status, save, saveAndRun, pending };
}
