import { useEffect, useState, type FormEvent } from "react";
import { JOB_STATUSES, JOB_TRIGGERS } from "../../api/client";
import { statusLabel } from "../../components/StatusBadge";
import {
  hasFilters,
  isoToLocalInput,
  isTimeRange,
  localInputToIso,
  NO_FILTERS,
  TIME_RANGES,
  type RunFilters,
} from "./filters";

interface RunsFiltersProps {
  filters: RunFilters;
  onChange: (filters: RunFilters) => void;
}

/**
 * The Runs page's filter bar. Status chips, the trigger and the time range apply
 * at once; the text fields (script path, tag) on Enter or when they lose focus.
 */
export function RunsFilters({ filters, onChange }: RunsFiltersProps) {
  const [path, setPath] = useState(filters.path);
  const [tag, setTag] = useState(filters.tag);
  const [customRange, setCustomRange] = useState(false);
  // The URL changed under the form (back button, "Clear"): show what it says.
  useEffect(() => setPath(filters.path), [filters.path]);
  useEffect(() => setTag(filters.tag), [filters.tag]);

  const showCustom = filters.range === "" && (customRange || filters.createdAfter !== "" || filters.createdBefore !== "");
  const rangeValue = filters.range || (showCustom ? "custom" : "");

  function commitText() {
    if (path.trim() !== filters.path || tag.trim() !== filters.tag) {
      onChange({ ...filters, path: path.trim(), tag: tag.trim() });
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    commitText();
  }

  function toggleStatus(status: string) {
    const statuses = filters.statuses.includes(status)
      ? filters.statuses.filter((s) => s !== status)
      : JOB_STATUSES.filter((s) => s === status || filters.statuses.includes(s));
    onChange({ ...filters, statuses });
  }

  function onRange(value: string) {
    setCustomRange(value === "custom");
    if (isTimeRange(value)) onChange({ ...filters, range: value, createdAfter: "", createdBefore: "" });
    else if (value === "custom") onChange({ ...filters, range: "" });
    else onChange({ ...filters, range: "", createdAfter: "", createdBefore: "" });
  }

  return (
    <form className="filters" aria-label="Filter runs" onSubmit={onSubmit}>
      <div className="filters-row">
        <div className="chips" role="group" aria-label="Status">
          {JOB_STATUSES.map((status) => {
            const on = filters.statuses.includes(status);
            return (
              <button
                key={status}
                type="button"
                className={on ? `chip chip-on chip-${status}` : "chip"}
                aria-pressed={on}
                onClick={() => toggleStatus(status)}
              >
                {statusLabel(status)}
              </button>
            );
          })}
        </div>
        {hasFilters(filters) && (
          <button
            type="button"
            className="button button-link"
            onClick={() => {
              setCustomRange(false);
              onChange(NO_FILTERS);
            }}
          >
            Clear filters
          </button>
        )}
      </div>
      <div className="filters-row">
        <div className="field field-inline">
          <label htmlFor="filter-path">Script path</label>
          <input
            id="filter-path"
            className="mono"
            placeholder="u/ada/greet or f/billing/*"
            title="An exact path, or a prefix ending with *"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            onBlur={commitText}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-trigger">Trigger</label>
          <select
            id="filter-trigger"
            value={filters.trigger}
            onChange={(e) => onChange({ ...filters, trigger: e.target.value })}
          >
            <option value="">Any</option>
            {JOB_TRIGGERS.map((trigger) => (
              <option key={trigger} value={trigger}>
                {trigger}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-tag">Tag</label>
          <input
            id="filter-tag"
            className="mono field-narrow"
            placeholder="any"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            onBlur={commitText}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-range">Created</label>
          <select id="filter-range" value={rangeValue} onChange={(e) => onRange(e.target.value)}>
            <option value="">Any time</option>
            {Object.entries(TIME_RANGES).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
            <option value="custom">Between…</option>
          </select>
        </div>
        {showCustom && (
          <>
            <div className="field field-inline">
              <label htmlFor="filter-after">From</label>
              <input
                id="filter-after"
                type="datetime-local"
                value={isoToLocalInput(filters.createdAfter)}
                onChange={(e) => onChange({ ...filters, createdAfter: localInputToIso(e.target.value) })}
              />
            </div>
            <div className="field field-inline">
              <label htmlFor="filter-before">To</label>
              <input
                id="filter-before"
                type="datetime-local"
                value={isoToLocalInput(filters.createdBefore)}
                onChange={(e) => onChange({ ...filters, createdBefore: localInputToIso(e.target.value) })}
              />
            </div>
          </>
        )}
        {/* Enter in a text field applies it; the button is for pointer users. */}
        <button type="submit" className="button filters-apply">
          Apply
        </button>
      </div>
    </form>
  );
}
