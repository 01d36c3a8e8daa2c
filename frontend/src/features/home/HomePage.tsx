import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { useCurrentUser } from "../auth/CurrentUser";
import { useSchedules } from "../schedules/queries";
import { useScripts } from "../scripts/queries";
import { useCurrentWorkspace, workspaceUrl } from "../workspace/CurrentWorkspace";
import { HomeToolbar } from "./HomeToolbar";
import {
  filterItems,
  groupByFolder,
  ITEM_KINDS,
  parseKinds,
  personalFolder,
  toItems,
  type FolderGroup,
  type HomeItem,
  type ItemKind,
} from "./homeItems";
import { useApps, useFlows } from "./queries";

/** `/w/:ws/home`: everything in the workspace you may see, by folder, searchable (`?q=`, `?kind=`). */
export function HomePage() {
  const workspace = useCurrentWorkspace();
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const kinds = parseKinds(params.get("kind"));
  const scripts = useScripts(workspace.id);
  const flows = useFlows(workspace.id);
  const schedules = useSchedules(workspace.id);
  const apps = useApps(workspace.id);
  // Operators run what exists; admins and developers write scripts.
  const canCreate = workspace.role !== "operator";
  const newScript = `${workspaceUrl(workspace.id)}/scripts/new`;

  const items = useMemo(
    () =>
      toItems(workspace.id, {
        scripts: scripts.data ?? [],
        flows: flows.data ?? [],
        schedules: schedules.data ?? [],
        apps: apps.data ?? [],
      }),
    [workspace.id, scripts.data, flows.data, schedules.data, apps.data],
  );
  const searched = filterItems(items, query, []);
  const shown = filterItems(searched, "", kinds);
  const counts = Object.fromEntries(
    ITEM_KINDS.map((kind) => [kind, searched.filter((item) => item.kind === kind).length]),
  ) as Record<ItemKind, number>;

  // Replace, not push: each keystroke should not become a Back step.
  function update(change: { q?: string; kinds?: ItemKind[] }) {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (change.q !== undefined) {
          if (change.q === "") next.delete("q");
          else next.set("q", change.q);
        }
        if (change.kinds !== undefined) {
          if (change.kinds.length === 0) next.delete("kind");
          else next.set("kind", change.kinds.join(","));
        }
        return next;
      },
      { replace: true },
    );
  }

  function toggleKind(kind: ItemKind) {
    update({ kinds: kinds.includes(kind) ? kinds.filter((k) => k !== kind) : [...kinds, kind] });
  }

  const failed = [
    { name: "scripts", query: scripts },
    { name: "flows", query: flows },
    { name: "schedules", query: schedules },
  ].flatMap(({ name, query: q }) => (q.isError ? [{ name, error: q.error, retry: () => void q.refetch() }] : []));
  const loading = scripts.isPending || flows.isPending || schedules.isPending || apps.isPending;

  return (
    <section>
      <div className="page-header">
        <h1>Home</h1>
        {canCreate && (
          <div className="page-actions">
            <Link className="button button-primary" to={newScript}>
              New script
            </Link>
          </div>
        )}
      </div>
      <HomeToolbar
        query={query}
        kinds={kinds}
        counts={counts}
        onQuery={(q) => update({ q })}
        onToggleKind={toggleKind}
      />
      {failed.map(({ name, error, retry }) => (
        <div key={name} className="home-error">
          <ErrorMessage error={error} onRetry={retry} />
        </div>
      ))}
      {loading ? (
        <SkeletonTable rows={6} columns={3} label="Loading the workspace…" />
      ) : items.length === 0 ? (
        failed.length === 0 && (
          <div className="empty">
            <h2>Nothing here yet</h2>
            <p className="muted">
              Scripts, flows, schedules and apps you can see in {workspace.name} will be listed here, by folder.
            </p>
            {canCreate ? (
              <Link className="button button-primary" to={newScript}>
                New script
              </Link>
            ) : (
              <p className="muted">Admins and developers create scripts.</p>
            )}
          </div>
        )
      ) : shown.length === 0 ? (
        <div className="empty" role="status">
          <h2>Nothing matches {query.trim() !== "" ? `“${query.trim()}”` : "these filters"}</h2>
          <p className="muted">Search looks at paths and summaries.</p>
          <button type="button" className="button" onClick={() => update({ q: "", kinds: [] })}>
            Clear search and filters
          </button>
        </div>
      ) : (
        groupByFolder(shown, personalFolder(me.email)).map((group) => (
          <FolderSection key={group.key} group={group} mine={group.key === personalFolder(me.email)} />
        ))
      )}
    </section>
  );
}

function folderTitle(group: FolderGroup, mine: boolean): string {
  if (group.key === "") return "Other paths";
  if (mine) return `${group.key} (yours)`;
  return group.key;
}

function FolderSection({ group, mine }: { group: FolderGroup; mine: boolean }) {
  const id = `folder-${group.key.replace(/[^a-z0-9_-]/gi, "-") || "other"}`;
  return (
    <section className="home-folder" aria-labelledby={id}>
      <h2 id={id} className="home-folder-title">
        <span className="mono">{folderTitle(group, mine)}</span>
        <span className="muted home-folder-kind">{group.key === "" ? "" : group.personal ? "personal" : "folder"}</span>
      </h2>
      <ul className="home-list">
        {group.items.map((item) => (
          <HomeRow key={`${item.kind}:${item.path}`} item={item} />
        ))}
      </ul>
    </section>
  );
}

function HomeRow({ item }: { item: HomeItem }) {
  return (
    <li className="home-row">
      <span className={`badge kind-badge kind-${item.kind}`}>{item.kind}</span>
      <Link to={item.href} className="mono home-path">
        {item.path}
      </Link>
      {item.summary !== "" && <span className="muted home-summary">{item.summary}</span>}
    </li>
  );
}
