import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useParams, useSearchParams } from "react-router";
import type { Script } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { isRecord } from "../forms/schemaKind";
import { scriptUrl } from "../scripts/links";
import { inferSchemaQuery, useScript, useScriptVersion } from "../scripts/queries";
import { useCurrentWorkspace, workspaceUrl } from "../workspace/CurrentWorkspace";
import type { EditorDoc } from "./draft";
import type { EditorState } from "./editorStore";
import { DEFAULT_LANGUAGE, languageInfo } from "./languages";
import { canEdit, writesScripts } from "./permissions";
import { deriveEdits, NO_EDITS } from "./schemaEdits";
import { ScriptEditor } from "./ScriptEditor";


/** The message a first save hands to the edit page it navigates to. */
function savedMessageOf(state: unknown): string | undefined {
  return isRecord(state) && typeof state.saved === "string" ? state.saved : undefined;
}

function Breadcrumb({ workspaceId }: { workspaceId: string }) {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to={`${workspaceUrl(workspaceId)}/scripts`}>Scripts</Link>
      <span aria-hidden="true">/</span>
    </nav>
  );
}

/** `w/:ws/scripts/new`: a new script, from the default language's template. */
export function NewScriptPage() {
  const workspace = useCurrentWorkspace();
  const location = useLocation();
  const template: EditorDoc = {
    path: "",
    language: DEFAULT_LANGUAGE,
    content: languageInfo(DEFAULT_LANGUAGE)?.template ?? "",
    summary: "",
    description: "",
    edits: NO_EDITS,
  };
  return (
    <section>
      <Breadcrumb workspaceId={workspace.id} />
      {writesScripts(workspace) ? (
        <ScriptEditor
          key={location.key}
          workspaceId={workspace.id}
          initial={{ doc: template, base: template, baseHash: null }}
          isNew
          offerDraft
        />
      ) : (
        <p className="panel">Your role in this workspace (operator) runs scripts but cannot write them.</p>
      )}
    </section>
  );
}

/**
 * A saved version as the editor holds it. Its form edits are what differs from
 * what the code alone gives (as the server reads them), so the code is read
 * once more before the editor opens; if that fails, every editable keyword of
 * the saved schema counts as an edit.
 */
function useEditorDoc(workspaceId: string, script: Script | undefined): EditorDoc | null {
  const inferred = useQuery({
    ...inferSchemaQuery(workspaceId, script?.language ?? "", script?.content ?? ""),
    enabled: script !== undefined,
  });
  if (script === undefined || inferred.isPending) return null;
  const base = inferred.isSuccess ? inferred.data.schema : {};
  return {
    path: script.path,
    language: script.language,
    content: script.content,
    summary: script.summary,
    // Typed as always there; a missing or null one (an older server) reads as none.
    description: script.description ?? "",
    edits: deriveEdits(script.schema, base),
  };
}

/** `w/:ws/scripts/edit/<path>[?version=<hash>]`: the latest version, or an older one's code as a draft. */
export function EditScriptPage() {
  const workspace = useCurrentWorkspace();
  const path = useParams()["*"] ?? "";
  const [search] = useSearchParams();
  const versionHash = search.get("version");
  const location = useLocation();
  const latest = useScript(workspace.id, path);
  const version = useScriptVersion(workspace.id, versionHash ?? "", { enabled: versionHash !== null });
  const base = useEditorDoc(workspace.id, latest.data);
  const opened = useEditorDoc(workspace.id, versionHash === null ? latest.data : version.data);

  // Frozen once loaded: a save updates the cached script, and the editor (which
  // holds the truth from then on) must not reload or unmount because of it.
  const editorKey = `${path}@${versionHash ?? ""}`;
  const [loaded, setLoaded] = useState<{ key: string; initial: EditorState } | null>(null);
  if (loaded?.key !== editorKey && latest.data !== undefined && base !== null && opened !== null) {
    setLoaded({ key: editorKey, initial: { doc: opened, base, baseHash: latest.data.hash } });
  }
  const ready = loaded?.key === editorKey ? loaded.initial : null;

  const failed = latest.isError ? latest.error : version.isError ? version.error : null;
  let body;
  if (ready !== null && canEdit(workspace, latest.data)) {
    body = (
      <ScriptEditor
        key={editorKey}
        workspaceId={workspace.id}
        initial={ready}
        isNew={false}
        offerDraft={versionHash === null}
        savedMessage={savedMessageOf(location.state)}
      />
    );
  } else if (failed !== null) {
    body = <ErrorMessage error={failed} onRetry={() => void (latest.isError ? latest.refetch() : version.refetch())} />;
  } else if (ready === null) {
    body = <Loading label="Loading script…" />;
  } else {
    body = (
      <p className="panel">
        You can run <Link to={scriptUrl(workspace.id, path)}>{path}</Link> but not change it.
      </p>
    );
  }
  return (
    <section>
      <Breadcrumb workspaceId={workspace.id} />
      {body}
    </section>
  );
}
