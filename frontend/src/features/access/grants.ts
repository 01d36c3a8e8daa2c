import type { Grant, GrantLevel, MemberRole } from "../../api/client";

export const ROLES: readonly MemberRole[] = ["admin", "developer", "operator"];

/** What each role may do, as the roles' select explains it. */
export const ROLE_HELP: Record<MemberRole, string> = {
  admin: "everything, including members and groups",
  developer: "writes scripts and creates folders",
  operator: "runs and views",
};

export const LEVELS: readonly GrantLevel[] = ["viewer", "writer", "owner"];

/** One row of the grants editor, as typed: a user's email or a group's name. */
export interface GrantRow {
  /** Stable React key: rows are added and removed in the middle. */
  id: number;
  kind: "user" | "group";
  name: string;
  level: GrantLevel;
}

let nextRowId = 1;

export function newGrantRow(kind: GrantRow["kind"] = "group", name = "", level: GrantLevel = "viewer"): GrantRow {
  return { id: nextRowId++, kind, name, level };
}

/** The editor's rows of a folder's stored grants. */
export function rowsFromGrants(grants: readonly Grant[] | null | undefined): GrantRow[] {
  return (grants ?? []).map((grant) =>
    grant.user ? newGrantRow("user", grant.user, grant.level) : newGrantRow("group", grant.group ?? "", grant.level),
  );
}

/**
 * The body of `PUT …/folders/{name}/grants`: every row, replacing the stored grants.
 * A row left without a name is an unfinished one and is left out; anything else
 * (an unknown email, a duplicate) is sent as typed for the API to refuse with a message.
 */
export function grantsFromRows(rows: readonly GrantRow[]): Grant[] {
  return rows
    .map((row) => ({ ...row, name: row.name.trim() }))
    .filter((row) => row.name !== "")
    .map((row) => (row.kind === "user" ? { user: row.name, level: row.level } : { group: row.name, level: row.level }));
}
