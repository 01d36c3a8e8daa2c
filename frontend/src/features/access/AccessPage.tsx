import { useSearchParams } from "react-router";
import { FoldersPanel } from "./FoldersPanel";
import { GroupsPanel } from "./GroupsPanel";
import { MembersPanel } from "./MembersPanel";

const TABS = [
  { id: "members", label: "Members" },
  { id: "groups", label: "Groups" },
  { id: "folders", label: "Folders" },
] as const;

type TabId = (typeof TABS)[number]["id"];

function tabOf(value: string | null): TabId {
  return TABS.find((t) => t.id === value)?.id ?? "members";
}

/** `/w/:ws/access`: who is in the workspace, its groups, and who may use each folder. */
export function AccessPage() {
  // The tab is in the URL (?tab=folders) so that it survives a reload and can be linked to.
  const [search, setSearch] = useSearchParams();
  const tab = tabOf(search.get("tab"));

  return (
    <section>
      <div className="page-header">
        <h1>Access</h1>
      </div>
      <p className="lead">
        Members have a role in the workspace; folders (<code>f/&lt;folder&gt;/…</code>) are shared with members and
        groups as viewer, writer or owner.
      </p>

      <div className="tabs" role="tablist" aria-label="Access">
        {TABS.map(({ id, label }) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`access-tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`access-panel-${id}`}
            className={tab === id ? "tab tab-active" : "tab"}
            onClick={() => setSearch(id === "members" ? {} : { tab: id }, { replace: true })}
          >
            {label}
          </button>
        ))}
      </div>

      <div role="tabpanel" id={`access-panel-${tab}`} aria-labelledby={`access-tab-${tab}`} className="access-panel">
        {tab === "members" ? <MembersPanel /> : tab === "groups" ? <GroupsPanel /> : <FoldersPanel />}
      </div>
    </section>
  );
}
