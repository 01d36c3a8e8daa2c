/**
 * `w/:ws/flows/new` and `w/:ws/flows/edit/<path>[?version=<hash>]`. App.tsx loads this module
 * lazily (editor/lazy.tsx): the editor, its canvas and the YAML library stay out of the main chunk.
 */
import { useState } from "react";
import { Link, useLocation, useParams, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { Loading } from "../../../components/Loading";
import { isRecord } from "../../forms/schemaKind";
import { canEdit, writesScripts } from "../../editor/permissions";
import { useCurrentWorkspace } from "../../workspace/CurrentWorkspace";
import { flowsUrl, flowUrl } from "../links";
import { createFlowEditorStore, emptyFlowDocument, FlowEditorProvider } from "../model/store";
import type { FlowDocument } from "../model/types";
import { documentOf, useFlow, useFlowVersion } from "../queries";
import { FlowEditor } from "./FlowEditor";

/** What a first deploy hands to the edit page it opens (see useDeploy). */
function deployedStateOf(state: unknown): { message?: string; testRun: string | null } {
  if (!isRecord(state)) return { testRun: null };
  return {
    message: typeof state.deployed === "string" ? state.deployed : undefined,
    testRun: typeof state.testRun === "string" ? state.testRun : null,
  };
}

function Breadcrumb({ workspaceId, path }: { workspaceId: string; path?: string }) {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to={flowsUrl(workspaceId)}>Flows</Link>
      <span aria-hidden="true">/</span>
      {path !== undefined && (
        <>
          <Link className="mono" to={flowUrl(workspaceId, path)}>
            {path}
          </Link>
          <span aria-hidden="true">/</span>
        </>
      )}
    </nav>
  );
}

function NewFlowEditor({ workspaceId }: { workspaceId: string }) {
  const [store] = useState(() => {
    const created = createFlowEditorStore();
    created.getState().load(emptyFlowDocument(), { path: "", baseHash: null, saved: false });
    return created;
  });
  return (
    <FlowEditorProvider store={store}>
      <FlowEditor workspaceId={workspaceId} isNew offerDraft />
    </FlowEditorProvider>
  );
}

export function NewFlowPage() {
  const workspace = useCurrentWorkspace();
  const location = useLocation();
  return (
    <section className="flow-editor-page">
      <Breadcrumb workspaceId={workspace.id} />
      {writesScripts(workspace) ? (
        // A new location (another click on "New flow") is a fresh editor and store.
        <NewFlowEditor key={location.key} workspaceId={workspace.id} />
      ) : (
        <p className="panel">Your role in this workspace (operator) runs flows but cannot write them.</p>
      )}
    </section>
  );
}

/** The editor for a loaded flow: the latest version as the saved one, `opened` in the editor. */
function LoadedEditor(props: { workspaceId: string; latest: FlowDocument; path: string; hash: string; opened: FlowDocument | null }) {
  const { workspaceId, latest, path, hash, opened } = props;
  const location = useLocation();
  const deployed = deployedStateOf(location.state);
  // Frozen once created: a deploy updates the cached flow, and the editor (which holds the
  // truth from then on) must not reload because of it.
  const [store] = useState(() => {
    const created = createFlowEditorStore();
    created.getState().load(latest, { path, baseHash: hash, saved: true });
    // An older version opens as unsaved changes on top of the latest (Undo goes back).
    if (opened !== null) created.getState().apply(() => opened);
    return created;
  });
  return (
    <FlowEditorProvider store={store}>
      <FlowEditor
        workspaceId={workspaceId}
        isNew={false}
        offerDraft={opened === null}
        deployedMessage={deployed.message}
        initialTestRun={deployed.testRun}
      />
    </FlowEditorProvider>
  );
}

export function EditFlowPage() {
  const workspace = useCurrentWorkspace();
  const path = useParams()["*"] ?? "";
  const [search] = useSearchParams();
  const versionHash = search.get("version");
  const latest = useFlow(workspace.id, path);
  const version = useFlowVersion(workspace.id, versionHash ?? "", { enabled: versionHash !== null });
  const failed = latest.error ?? (versionHash !== null ? version.error : null);

  let body;
  if (failed) {
    body = <ErrorMessage error={failed} onRetry={() => void (latest.isError ? latest.refetch() : version.refetch())} />;
  } else if (latest.data === undefined || (versionHash !== null && version.data === undefined)) {
    body = <Loading label="Loading flow…" />;
  } else if (!canEdit(workspace, latest.data)) {
    body = (
      <p className="panel">
        You can run <Link to={flowUrl(workspace.id, path)}>{path}</Link> but not change it.
      </p>
    );
  } else {
    body = (
      <LoadedEditor
        key={`${path}@${versionHash ?? ""}`}
        workspaceId={workspace.id}
        latest={documentOf(latest.data)}
        path={latest.data.path}
        hash={latest.data.hash}
        opened={versionHash !== null && version.data ? documentOf(version.data) : null}
      />
    );
  }
  return (
    <section className="flow-editor-page">
      <Breadcrumb workspaceId={workspace.id} path={path} />
      {body}
    </section>
  );
}
