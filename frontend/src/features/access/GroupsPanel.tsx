import { useState, type FormEvent } from "react";
import type { Group, Member } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { MemberPicker } from "./MemberPicker";
import { useCreateGroup, useDeleteGroup, useGroups, useMembers, useSetGroupMembers } from "./queries";

/** The Groups tab: named sets of members to share folders with; `all` is built in. */
export function GroupsPanel() {
  const workspace = useCurrentWorkspace();
  const groups = useGroups(workspace.id);
  const isAdmin = workspace.role === "admin";
  // Admins pick a group's members from this list.
  const members = useMembers(workspace.id);
  const everyone = members.data ?? [];

  return (
    <>
      {isAdmin ? (
        <CreateGroupForm workspaceId={workspace.id} members={everyone} />
      ) : (
        <p className="muted" data-testid="groups-read-only">
          Admins create groups and change who is in them.
        </p>
      )}
      {groups.isPending ? (
        <Loading label="Loading groups…" />
      ) : groups.isError ? (
        <ErrorMessage error={groups.error} onRetry={() => void groups.refetch()} />
      ) : (
        <table className="table" data-testid="groups-table">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Members</th>
              {isAdmin && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {groups.data.map((group) => (
              <GroupRow key={group.name} workspaceId={workspace.id} group={group} isAdmin={isAdmin} members={everyone} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function CreateGroupForm({ workspaceId, members }: { workspaceId: string; members: readonly Member[] }) {
  const create = useCreateGroup(workspaceId);
  const [name, setName] = useState("");
  const [summary, setSummary] = useState("");
  const [picked, setPicked] = useState<string[]>([]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), summary: summary.trim(), members: picked },
      {
        onSuccess: () => {
          setName("");
          setSummary("");
          setPicked([]);
        },
      },
    );
  }

  return (
    <form className="inline-form" aria-label="New group" onSubmit={onSubmit} noValidate>
      <div className="field field-inline">
        <label htmlFor="group-name">Name</label>
        <input
          id="group-name"
          className="mono"
          value={name}
          placeholder="ops"
          onChange={(e) => {
            setName(e.target.value);
            if (create.isError || create.isSuccess) create.reset();
          }}
        />
      </div>
      <div className="field field-inline field-grow">
        <label htmlFor="group-summary">Summary</label>
        <input id="group-summary" value={summary} onChange={(e) => setSummary(e.target.value)} />
      </div>
      <MemberPicker legend="Members" members={members} selected={picked} onChange={setPicked} />
      <button type="submit" className="button button-primary" disabled={create.isPending || name.trim() === ""}>
        {create.isPending ? "Creating…" : "Create group"}
      </button>
      {create.isSuccess && (
        <span className="form-ok" role="status">
          Created group {create.data.name}.
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

interface GroupRowProps {
  workspaceId: string;
  group: Group;
  isAdmin: boolean;
  members: readonly Member[];
}

function GroupRow({ workspaceId, group, isAdmin, members }: GroupRowProps) {
  const setMembers = useSetGroupMembers(workspaceId, group.name);
  const remove = useDeleteGroup(workspaceId, group.name);
  // null: not editing; else the members being picked.
  const [editing, setEditing] = useState<string[] | null>(null);
  const error = setMembers.error ?? remove.error;
  const busy = setMembers.isPending || remove.isPending;

  function startEditing() {
    setMembers.reset();
    remove.reset();
    setEditing([...group.members]);
  }

  function save() {
    if (editing === null) return;
    setMembers.mutate(editing, { onSuccess: () => setEditing(null) });
  }

  function deleteGroup() {
    if (!window.confirm(`Delete group ${group.name}? Its folder grants go too.`)) return;
    setMembers.reset();
    remove.mutate();
  }

  return (
    <tr>
      <td>
        <span className="mono">{group.name}</span>
        {group.builtin && <span className="cell-note"> (built in)</span>}
        {group.summary && <div className="cell-sub">{group.summary}</div>}
      </td>
      <td>
        {editing !== null ? (
          <MemberPicker
            legend={`Members of ${group.name}`}
            members={members}
            selected={editing}
            onChange={setEditing}
          />
        ) : group.members.length === 0 ? (
          <span className="muted">No members</span>
        ) : (
          <span className="tags">
            {group.members.map((email) => (
              <span key={email} className="tag">
                {email}
              </span>
            ))}
          </span>
        )}
      </td>
      {isAdmin && (
        <td className="cell-actions">
          {group.builtin ? (
            <span className="muted">Not editable</span>
          ) : editing !== null ? (
            <>
              <button type="button" className="button button-primary" onClick={save} disabled={busy}>
                {setMembers.isPending ? "Saving…" : "Save members"}
              </button>{" "}
              <button type="button" className="button" onClick={() => setEditing(null)} disabled={busy}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button
                type="button"
                className="button"
                aria-label={`Edit members of ${group.name}`}
                onClick={startEditing}
                disabled={busy}
              >
                Edit members
              </button>{" "}
              <button
                type="button"
                className="button button-danger"
                aria-label={`Delete group ${group.name}`}
                onClick={deleteGroup}
                disabled={busy}
              >
                Delete
              </button>
            </>
          )}
          {error && (
            <p className="field-error" role="alert">
              {error.message}
            </p>
          )}
        </td>
      )}
    </tr>
  );
}
