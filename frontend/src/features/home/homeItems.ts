/** What the home page lists, whatever API it came from. */
export type ItemKind = "script" | "flow" | "schedule" | "app";

export const ITEM_KINDS: readonly ItemKind[] = ["script", "flow", "schedule", "app"];

export interface HomeItem {
  kind: ItemKind;
  path: string;
  summary: string;
  /** Where its link goes (an app: its run page under /apps, outside the workspace studio). */
  href: string;
}

export interface FolderGroup {
  /** `u/ada`, `f/billing`, or "" for paths in neither. */
  key: string;
  /** Personal (`u/…`) or shared folder (`f/…`). */
  personal: boolean;
  items: HomeItem[];
}

/** `u/ada/greet` → `u/ada`; `f/billing/x/y` → `f/billing`; "" for any other path. */
export function folderOf(path: string): string {
  const [root, name] = path.split("/");
  return (root === "u" || root === "f") && name !== undefined && name !== "" ? `${root}/${name}` : "";
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

interface Listed {
  path: string;
  summary?: string | null;
}

export interface HomeSources {
  scripts: readonly Listed[];
  flows: readonly Listed[];
  schedules: readonly Listed[];
  apps: readonly Listed[];
}

/** One list of every item, each with its link under `/w/<workspaceId>`. */
export function toItems(workspaceId: string, sources: HomeSources): HomeItem[] {
  const ws = encodeURIComponent(workspaceId);
  const make = (kind: ItemKind, href: (path: string) => string) => (listed: Listed) => ({
    kind,
    path: listed.path,
    summary: listed.summary ?? "",
    href: href(listed.path),
  });
  return [
    ...sources.scripts.map(make("script", (p) => `/w/${ws}/scripts/p/${encodePath(p)}`)),
    ...sources.flows.map(make("flow", (p) => `/w/${ws}/flows/p/${encodePath(p)}`)),
    ...sources.schedules.map(make("schedule", (p) => `/w/${ws}/schedules/p/${encodePath(p)}`)),
    ...sources.apps.map(make("app", (p) => `/apps/${ws}/${encodePath(p)}`)),
  ];
}

/** `?kind=script,flow` → those kinds; unknown names are dropped; none = every kind. */
export function parseKinds(param: string | null): ItemKind[] {
  if (param === null) return [];
  const wanted = new Set(param.split(",").map((k) => k.trim()));
  return ITEM_KINDS.filter((kind) => wanted.has(kind));
}

/** Items whose path or summary contains the query (case-insensitive), of the given kinds (none: all). */
export function filterItems(items: readonly HomeItem[], query: string, kinds: readonly ItemKind[]): HomeItem[] {
  const needle = query.trim().toLowerCase();
  return items.filter(
    (item) =>
      (kinds.length === 0 || kinds.includes(item.kind)) &&
      (needle === "" || item.path.toLowerCase().includes(needle) || item.summary.toLowerCase().includes(needle)),
  );
}

/**
 * `u/<username>` of an email, as the backend derives usernames (kiln.accounts.models.username_base).
 * A second ada@… gets `ada2`, which this cannot know; their folder then just sorts with the others.
 */
export function personalFolder(email: string): string {
  const local = (email.split("@")[0] ?? "").toLowerCase();
  const name = local.replace(/[^a-z0-9_-]/g, "_").replace(/^-+/, "").slice(0, 60);
  return `u/${name || "user"}`;
}

const KIND_ORDER: Record<ItemKind, number> = { script: 0, flow: 1, schedule: 2, app: 3 };

function groupRank(key: string, me: string): number {
  if (key === me) return 0;
  if (key.startsWith("u/")) return 1;
  if (key.startsWith("f/")) return 2;
  return 3;
}

/**
 * Items by folder: your own `u/<me>` first, then other users' personal folders,
 * then shared `f/` folders (alphabetically), then paths in neither. Within a
 * folder: by path, then kind (a script and its schedule can share a path).
 */
export function groupByFolder(items: readonly HomeItem[], me = ""): FolderGroup[] {
  const groups = new Map<string, HomeItem[]>();
  for (const item of items) {
    const key = folderOf(item.path);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => groupRank(a, me) - groupRank(b, me) || a.localeCompare(b))
    .map(([key, list]) => ({
      key,
      personal: key.startsWith("u/"),
      items: list.sort((a, b) => a.path.localeCompare(b.path) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]),
    }));
}
