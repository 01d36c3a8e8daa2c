import { ME } from "../../test/utils";

/** ME as an admin of the demo workspace. */
export const ADMIN_ME = { ...ME, workspaces: [{ id: "demo", name: "Demo workspace", role: "admin" }] };

export const MEMBERS = [
  { email: "ada@example.com", name: "Ada Lovelace", role: "admin", groups: ["ops"] },
  { email: "bob@example.com", name: "Bob", role: "developer", groups: [] },
  { email: "cy@example.com", name: "", role: "operator", groups: ["ops"] },
];

export const GROUPS = [
  {
    name: "all",
    summary: "Every member",
    members: ["ada@example.com", "bob@example.com", "cy@example.com"],
    builtin: true,
  },
  { name: "ops", summary: "On call", members: ["ada@example.com", "cy@example.com"], builtin: false },
];

/** A `FolderOut`: owned by the caller (with grants) unless `access` says otherwise. */
export function folder(overrides: Record<string, unknown> = {}) {
  return {
    name: "reports",
    summary: "Monthly reports",
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    access: "owner",
    grants: [
      { group: "ops", level: "writer" },
      { user: "ada@example.com", level: "owner" },
    ],
    ...overrides,
  };
}
