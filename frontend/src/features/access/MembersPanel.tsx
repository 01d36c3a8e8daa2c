import { useState, type FormEvent } from "react";
import type { Member, MemberRole } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { useCurrentUser } from "../auth/CurrentUser";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { ROLE_HELP, ROLES } from "./grants";
import { useAddMember, useMembers, useRemoveMember, useSetMemberRole } from "./queries";

/** The Members tab: everyone in the workspace with their role; admins add, re-role and remove. */
export function MembersPanel() {
  const workspace = useCurrentWorkspace();
  const members = useMembers(workspace.id);
  const isAdmin = workspace.role === "admin";

  return (
    <>
      {isAdmin ? (
        <AddMemberForm workspaceId={workspace.id} />
      ) : (
        <p className="muted" data-testid="members-read-only">
          Admins add members and change their roles.
        </p>
      )}
      {members.isPending ? (
        <Loading label="Loading members…" />
      ) : members.isError ? (
        <ErrorMessage error={members.error} onRetry={() => void members.refetch()} />
      ) : (
        <table className="table" data-testid="members-table">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Groups</th>
              {isAdmin && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => (
              <MemberRow key={member.email} workspaceId={workspace.id} member={member} isAdmin={isAdmin} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function RoleOptions() {
  return (
    <>
      {ROLES.map((role) => (
        <option key={role} value={role} title={ROLE_HELP[role]}>
          {role}
        </option>
      ))}
    </>
  );
}

function AddMemberForm({ workspaceId }: { workspaceId: string }) {
  const add = useAddMember(workspaceId);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<MemberRole>("developer");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail("") });
  }

  return (
    <form className="inline-form" aria-label="Add member" onSubmit={onSubmit} noValidate>
      <div className="field field-inline">
        <label htmlFor="member-email">Email</label>
        <input
          id="member-email"
          type="email"
          value={email}
          placeholder="someone@example.com"
          onChange={(e) => {
            setEmail(e.target.value);
            if (add.isError || add.isSuccess) add.reset();
          }}
        />
      </div>
      <div className="field field-inline">
        <label htmlFor="member-role">Role</label>
        <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
          <RoleOptions />
        </select>
      </div>
      <button type="submit" className="button button-primary" disabled={add.isPending || email.trim() === ""}>
        {add.isPending ? "Adding…" : "Add member"}
      </button>
      {add.isSuccess && (
        <span className="form-ok" role="status">
          Added {add.data.email}.
        </span>
      )}
      {add.isError && (
        <p className="form-error" role="alert">
          {add.error.message}
        </p>
      )}
    </form>
  );
}

interface MemberRowProps {
  workspaceId: string;
  member: Member;
  isAdmin: boolean;
}

function MemberRow({ workspaceId, member, isAdmin }: MemberRowProps) {
  const me = useCurrentUser();
  const setRole = useSetMemberRole(workspaceId);
  const remove = useRemoveMember(workspaceId);
  // Until the list is fetched again, show the role being saved rather than the old one.
  const role = setRole.isPending ? setRole.variables.role : member.role;
  const error = setRole.error ?? remove.error;
  const busy = setRole.isPending || remove.isPending;

  function changeRole(next: MemberRole) {
    remove.reset();
    setRole.mutate({ email: member.email, role: next });
  }

  function removeMember() {
    if (!window.confirm(`Remove ${member.email} from this workspace? Their folder grants and group memberships go too.`)) {
      return;
    }
    setRole.reset();
    remove.mutate(member.email);
  }

  return (
    <tr>
      <td>
        {member.email}
        {member.email === me.email && <span className="cell-note"> (you)</span>}
      </td>
      <td>{member.name || <span className="muted">—</span>}</td>
      <td>
        {isAdmin ? (
          <select
            className="cell-select"
            aria-label={`Role of ${member.email}`}
            value={role}
            disabled={busy}
            onChange={(e) => changeRole(e.target.value as MemberRole)}
          >
            <RoleOptions />
          </select>
        ) : (
          <span className="tag">{member.role}</span>
        )}
      </td>
      <td>
        {member.groups.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <span className="tags">
            {member.groups.map((group) => (
              <span key={group} className="tag">
                {group}
              </span>
            ))}
          </span>
        )}
      </td>
      {isAdmin && (
        <td className="cell-actions">
          <button
            type="button"
            className="button button-danger"
            aria-label={`Remove ${member.email}`}
            onClick={removeMember}
            disabled={busy}
          >
            Remove
          </button>
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
