import { ITEM_KINDS, type ItemKind } from "./homeItems";

export const KIND_LABELS: Record<ItemKind, string> = {
  script: "Scripts",
  flow: "Flows",
  schedule: "Schedules",
  app: "Apps",
};

interface HomeToolbarProps {
  query: string;
  kinds: readonly ItemKind[];
  /** How many items of each kind match the search (whatever the kind filter). */
  counts: Record<ItemKind, number>;
  onQuery: (query: string) => void;
  onToggleKind: (kind: ItemKind) => void;
}

/** The search box (`/` focuses it) and the kind chips; no chip on means every kind. */
export function HomeToolbar({ query, kinds, counts, onQuery, onToggleKind }: HomeToolbarProps) {
  return (
    <div className="home-toolbar">
      <label className="visually-hidden" htmlFor="home-search">
        Search by path or summary
      </label>
      <input
        id="home-search"
        className="search-input"
        type="search"
        placeholder="Search by path or summary…"
        value={query}
        onChange={(event) => onQuery(event.target.value)}
        data-shortcut="search"
        autoComplete="off"
        aria-keyshortcuts="/"
      />
      <div className="chips" role="group" aria-label="Kinds">
        {ITEM_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            className={kinds.includes(kind) ? `chip chip-on chip-kind-${kind}` : "chip"}
            aria-pressed={kinds.includes(kind)}
            onClick={() => onToggleKind(kind)}
          >
            {KIND_LABELS[kind]} <span className="chip-count">{counts[kind]}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
