import { useSearchParams } from "react-router";

export interface TabSpec<Id extends string> {
  id: Id;
  label: string;
}

/**
 * The tab named in the URL (`?tab=settings`), so a reload or a link shows the same one; the
 * first tab is the default and leaves the URL bare.
 */
export function useUrlTab<Id extends string>(tabs: readonly TabSpec<Id>[]): [Id, (id: Id) => void] {
  const [search, setSearch] = useSearchParams();
  const first = tabs[0]!.id;
  const current = tabs.find((t) => t.id === search.get("tab"))?.id ?? first;
  const select = (id: Id) => setSearch(id === first ? {} : { tab: id }, { replace: true });
  return [current, select];
}

interface UrlTabListProps<Id extends string> {
  tabs: readonly TabSpec<Id>[];
  current: Id;
  onSelect: (id: Id) => void;
  /** The tab list's accessible name, e.g. "Script". */
  label: string;
  /** Prefix of the tabs' and panels' ids: `<prefix>-tab-<id>`, `<prefix>-panel-<id>`. */
  idPrefix: string;
}

/** A row of ARIA tabs; each panel is `<div role="tabpanel" id="<prefix>-panel-<id>">`. */
export function UrlTabList<Id extends string>({ tabs, current, onSelect, label, idPrefix }: UrlTabListProps<Id>) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map(({ id, label: text }) => (
        <button
          key={id}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${id}`}
          aria-selected={current === id}
          aria-controls={`${idPrefix}-panel-${id}`}
          className={current === id ? "tab tab-active" : "tab"}
          onClick={() => onSelect(id)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
