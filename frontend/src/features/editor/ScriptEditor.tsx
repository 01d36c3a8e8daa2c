import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useShortcut } from "../shortcuts/useShortcut";
import { DraftBanner } from "./DraftBanner";
import { docOf, draftKey } from "./draft";
import { EditorFields } from "./EditorFields";
import { useEditorStore, type EditorState } from "./editorStore";
import { FormPreview } from "./FormPreview";
import { LazyCodeEditor } from "./LazyCodeEditor";
import { versionsUrl } from "./links";
import { applyEdits } from "./schemaEdits";
import { SchemaPanel } from "./SchemaPanel";
import { useDraft } from "./useDraft";
import { useEditorActions } from "./useEditorActions";
import { useLiveSchema } from "./useLiveSchema";
import { usePreviewForm } from "./usePreviewForm";
import { useUnsavedGuard } from "./useUnsavedGuard";
import "./editor.css";

interface ScriptEditorProps {
  workspaceId: string;
  initial: EditorState;
  isNew: boolean;
  /** Offer a draft left from an earlier visit (not when an old version was opened on purpose). */
  offerDraft: boolean;
  /** Shown as the save status on opening (the first save of a new script lands here). */
  savedMessage?: string;
}

type SideTab = "preview" | "schema";

/** Code on the left, the form it makes on the right; Save, Save & run, drafts and the unsaved guard. */
export function ScriptEditor({ workspaceId, initial, isNew, offerDraft, savedMessage }: ScriptEditorProps) {
  const { state, dispatch, dirty } = useEditorStore(() => initial);
  const { doc } = state;
  const live = useLiveSchema(workspaceId, doc.language, doc.content);
  const schema = useMemo(() => (live.inferred ? applyEdits(live.inferred, doc.edits) : null), [live.inferred, doc.edits]);
  const preview = usePreviewForm(schema);
  const [tab, setTab] = useState<SideTab>("preview");
  const key = draftKey(workspaceId, isNew ? null : initial.base.path);
  const draft = useDraft({ key, doc, base: state.base, baseHash: state.baseHash, offer: offerDraft });
  const guard = useUnsavedGuard(dirty);
  const actions = useEditorActions({
    workspaceId,
    state,
    dirty,
    dispatch,
    isNew,
    bypass: guard.bypass,
    onSaved: draft.saved,
    preview: { trySubmit: preview.trySubmit, value: preview.value, schema },
    initialStatus: savedMessage,
  });

  const { status } = actions;
  const offered = draft.offer;
  // Running shows the form: that is where a missing argument would be pointed out.
  const saveAndRun = () => {
    setTab("preview");
    void actions.saveAndRun();
  };
  // Anywhere on the page, fields included (Mod combos work while typing); in the
  // code, CodeMirror's own keymap takes Mod+Enter first (see CodeEditor).
  useShortcut("Mod+s", () => void actions.save(), { description: "Save the script", group: "Editor" });
  useShortcut("Mod+Enter", saveAndRun, { description: "Save and run the script", group: "Editor" });
  return (
    <div className="script-editor">
      <div className="page-header editor-header">
        <h1 className={isNew ? undefined : "mono"}>{isNew ? "New script" : initial.base.path}</h1>
        <div className="page-actions">
          {!isNew && (
            <Link className="button" to={versionsUrl(workspaceId, initial.base.path)}>
              Versions
            </Link>
          )}
          <button type="button" className="button" disabled={actions.pending} onClick={() => void actions.save()}>
            Save
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={actions.pending}
            onClick={saveAndRun}
          >
            Save &amp; run
          </button>
        </div>
      </div>

      {offered && (
        <DraftBanner
          draft={offered}
          baseHash={state.baseHash}
          onRestore={() => {
            dispatch({ type: "replace", doc: docOf(offered) });
            draft.accept();
          }}
          onDiscard={draft.discard}
        />
      )}

      <EditorFields doc={doc} pathLocked={!isNew} dispatch={dispatch} />

      <div className="editor-status" role="status" aria-live="polite">
        {status.kind === "error" ? (
          <span className="form-error-inline" data-testid="save-error">
            {status.message}
          </span>
        ) : status.kind !== "idle" ? (
          <span className={status.kind === "saved" ? "form-ok" : "muted"}>{status.message}</span>
        ) : null}
        {dirty && <span className="muted editor-dirty">Unsaved changes</span>}
        <span className="muted form-shortcut">Ctrl/⌘ + S saves · Ctrl/⌘ + Enter saves &amp; runs</span>
      </div>

      <div className="editor-split">
        <div className="editor-code">
          <LazyCodeEditor
            value={doc.content}
            language={doc.language}
            label="Code"
            problem={live.problem}
            onChange={(content) => dispatch({ type: "content", content })}
            onRun={saveAndRun}
          />
          {live.problem && (
            <p className="code-problem" data-testid="code-problem">
              {live.problem.line !== null && (
                <strong>
                  Line {live.problem.line}
                  {live.problem.column !== null && `, column ${live.problem.column}`}:{" "}
                </strong>
              )}
              {live.problem.message}
            </p>
          )}
        </div>

        <div className="editor-side">
          <div className="tabs" role="tablist" aria-label="Form">
            {(
              [
                ["preview", "Form preview"],
                ["schema", "Schema"],
              ] as const
            ).map(([id, label]) => (
              <button
                key={id}
                type="button"
                role="tab"
                id={`editor-tab-${id}`}
                aria-selected={tab === id}
                aria-controls={`editor-panel-${id}`}
                className={tab === id ? "tab tab-active" : "tab"}
                onClick={() => setTab(id)}
              >
                {label}
              </button>
            ))}
            {live.stale && (
              <span className="muted editor-updating" aria-hidden="true">
                updating…
              </span>
            )}
          </div>
          <div
            role="tabpanel"
            id="editor-panel-preview"
            aria-labelledby="editor-tab-preview"
            data-testid="form-preview"
            hidden={tab !== "preview"}
          >
            <FormPreview
              schema={schema}
              value={preview.value}
              errors={preview.shown}
              onChange={preview.setValue}
              onTouched={preview.touch}
            />
          </div>
          <div
            role="tabpanel"
            id="editor-panel-schema"
            aria-labelledby="editor-tab-schema"
            data-testid="schema-panel"
            hidden={tab !== "schema"}
          >
            <SchemaPanel
              inferred={live.inferred}
              schema={schema}
              edits={doc.edits}
              onChange={(edits) => dispatch({ type: "edits", edits })}
            />
          </div>
        </div>
      </div>
      {guard.dialog}
    </div>
  );
}
