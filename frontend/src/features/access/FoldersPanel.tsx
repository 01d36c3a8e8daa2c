import { useState, type FormEvent } from "react";
import type { Folder } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { RelativeTime } from "../../components/RelativeTime";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { GrantsEditor } from "./GrantsEditor";
import { useCreateFolder, useDeleteFolder, useFolders } from "./queries";

/** The Folders tab: the folders you can see; their owners share them and delete empty ones. */
export function FoldersPanel() {
  const workspace = useCurrentWorkspace();
  const folders = useFolders(workspace.id);
  const canCreate = workspace.role === "admin" || workspace.role === "developer";

  return (
    <>
      {canCreate ? (
        <CreateFolderForm workspaceId={workspace.id} />
      ) : (
        <p className="muted" data-testid="folders-read-only">
          Admins and developers create folders.
        </p>
      )}
      {folders.isPending ? (
        <Loading label="Loading folders…" />
      ) : folders.isError ? (
        <ErrorMessage error={folders.error} onRetry={() => void folders.refetch()} />
      ) : folders.data.length === 0 ? (
        <div className="empty">
          <h2>No folders yet</h2>
          <p className="muted">
            A folder holds scripts saved under <code>f/&lt;folder&gt;/…</code> and is shared with members and groups.
          </p>
        </div>
      ) : (
        folders.data.map((folder) => <FolderCard key={folder.name} workspaceId={workspace.id} folder={folder} />)
      )}
    </>
  );
}

function CreateFolderForm({ workspaceId }: { workspaceId: string }) {
  const create = useCreateFolder(workspaceId);
  const [name, setName] = useState("");
  const [summary, setSummary] = useState("");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), summary: summary.trim() },
      {
        onSuccess: () => {
          setName("");
          setSummary("");
        },
      },
    );
  }

  return (
    <form className="inline-form" aria-label="New folder" onSubmit={onSubmit} noValidate>
      <div className="field field-inline">
        <label htmlFor="folder-name">Name</label>
        <div className="input-unit">
          <span className="unit mono">f/</span>
          <input
            id="folder-name"
            className="mono"
            value={name}
            placeholder="reports"
            onChange={(e) => {
              setName(e.target.value);
              if (create.isError || create.isSuccess) create.reset();
            }}
          />
        </div>
      </div>
      <div className="field field-inline field-grow">
        <label htmlFor="folder-summary">Summary</label>
        <input id="folder-summary" value={summary} onChange={(e) => setSummary(e.target.value)} />
      </div>
      <button type="submit" className="button button-primary" disabled={create.isPending || name.trim() === ""}>
        {create.isPending ? "Creating…" : "Create folder"}
      </button>
      {create.isSuccess && (
        <span className="form-ok" role="status">
          Created f/{create.data.name}; you own it.
        </span>
      )}
      {create.isError && (
        <p className="form-error" role="alert">
          {create.error.message}
        </p>
      )}
    </form>
  );
}

function FolderCard({ workspaceId, folder }: { workspaceId: string; folder: Folder }) {
  const remove = useDeleteFolder(workspaceId, folder.name);
  const isOwner = folder.access === "owner";

  function deleteFolder() {
    if (!window.confirm(`Delete folder f/${folder.name}? Only an empty folder can be deleted.`)) return;
    remove.mutate();
  }

  return (
    <section className="folder-card" aria-label={`Folder ${folder.name}`} data-testid={`folder-${folder.name}`}>
      <div className="folder-header">
        <h3 className="mono">f/{folder.name}</h3>
        <span className="tag" title="Your access">
          {folder.access}
        </span>
        {isOwner && (
          <button
            type="button"
            className="button button-danger folder-delete"
            aria-label={`Delete folder ${folder.name}`}
            onClick={deleteFolder}
            disabled={remove.isPending}
          >
            {remove.isPending ? "Deleting…" : "Delete"}
          </button>
        )}
      </div>
      {folder.summary && <p className="folder-summary">{folder.summary}</p>}
      <p className="cell-sub">
        Created <RelativeTime iso={folder.created_at} /> by {folder.created_by}
      </p>
      {remove.isError && (
        <p className="form-error" role="alert">
          {remove.error.message}
        </p>
      )}
      {isOwner ? (
        <GrantsEditor workspaceId={workspaceId} folder={folder} />
      ) : (
        <p className="muted">
          You {folder.access === "write" ? "can save scripts in it" : "can see and run its scripts"}; its owners and
          admins decide who may use it.
        </p>
      )}
    </section>
  );
}
