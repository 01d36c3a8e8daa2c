import { useState, type FormEvent } from "react";
import type { Folder, GrantLevel } from "../../api/client";
import { grantsFromRows, LEVELS, newGrantRow, rowsFromGrants, type GrantRow } from "./grants";
import { useGroups, useMembers, useSetFolderGrants } from "./queries";

interface GrantsEditorProps {
  workspaceId: string;
  folder: Folder;
}

/**
 * Who may use a folder: a row per user or group with its level. Saving sends the
 * whole list, which replaces the stored grants; a refusal keeps what was typed.
 */
export function GrantsEditor({ workspaceId, folder }: GrantsEditorProps) {
  const save = useSetFolderGrants(workspaceId, folder.name);
  const [rows, setRows] = useState<GrantRow[]>(() => rowsFromGrants(folder.grants));
  const [saved, setSaved] = useState(false);
  // Suggestions only: a name typed that is not in them is the API's to refuse.
  const members = useMembers(workspaceId);
  const groups = useGroups(workspaceId);
  const usersList = `grant-users-${folder.name}`;
  const groupsList = `grant-groups-${folder.name}`;

  function edit(change: (rows: GrantRow[]) => GrantRow[]) {
    setRows(change);
    setSaved(false);
  }

  function update(id: number, change: Partial<GrantRow>) {
    edit((rs) => rs.map((r) => (r.id === id ? { ...r, ...change } : r)));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(grantsFromRows(rows), {
      onSuccess: (stored) => {
        setRows(rowsFromGrants(stored.grants));
        setSaved(true);
      },
    });
  }

  function revert() {
    setRows(rowsFromGrants(folder.grants));
    save.reset();
    setSaved(false);
  }

  return (
    <form className="grants-form" aria-label={`Grants of ${folder.name}`} onSubmit={onSubmit} noValidate>
      <h4 className="subheading">Who may use it</h4>
      {rows.length === 0 ? (
        <p className="muted">No grants: only admins can use this folder.</p>
      ) : (
        <table className="table grants-table" data-testid={`grants-${folder.name}`}>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">User or group</th>
              <th scope="col">Level</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const n = index + 1;
              return (
                <tr key={row.id}>
                  <td>
                    <select
                      className="cell-select"
                      aria-label={`Grant ${n} kind`}
                      value={row.kind}
                      onChange={(e) => update(row.id, { kind: e.target.value as GrantRow["kind"] })}
                    >
                      <option value="user">User</option>
                      <option value="group">Group</option>
                    </select>
                  </td>
                  <td>
                    <input
                      className={row.kind === "group" ? "cell-input mono" : "cell-input"}
                      aria-label={row.kind === "user" ? `Grant ${n} email` : `Grant ${n} group`}
                      list={row.kind === "user" ? usersList : groupsList}
                      placeholder={row.kind === "user" ? "someone@example.com" : "all"}
                      value={row.name}
                      onChange={(e) => update(row.id, { name: e.target.value })}
                    />
                  </td>
                  <td>
                    <select
                      className="cell-select"
                      aria-label={`Grant ${n} level`}
                      value={row.level}
                      onChange={(e) => update(row.id, { level: e.target.value as GrantLevel })}
                    >
                      {LEVELS.map((level) => (
                        <option key={level} value={level}>
                          {level}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="button"
                      aria-label={`Remove grant ${n}`}
                      onClick={() => edit((rs) => rs.filter((r) => r.id !== row.id))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <datalist id={usersList}>
        {members.data?.map((m) => <option key={m.email} value={m.email} />)}
      </datalist>
      <datalist id={groupsList}>
        {groups.data?.map((g) => <option key={g.name} value={g.name} />)}
      </datalist>
      <p className="muted settings-help grants-help">
        Viewers see and run its scripts, writers also save them, owners also decide who may use it.
      </p>
      {save.isError && (
        <p className="form-error" role="alert">
          {save.error.message}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={() => edit((rs) => [...rs, newGrantRow()])}>
          Add grant
        </button>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save grants"}
        </button>
        <button type="button" className="button" onClick={revert} disabled={save.isPending}>
          Revert
        </button>
        {saved && (
          <span className="form-ok" role="status">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}
