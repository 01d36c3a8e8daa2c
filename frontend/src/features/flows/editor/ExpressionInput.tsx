import { useId, useState, type KeyboardEvent } from "react";

interface ExpressionInputProps {
  /** The accessible name (e.g. "count expression", "Iterator expression"). */
  label: string;
  /** Shown above the box; the accessible name when omitted. */
  visibleLabel?: string;
  value: string;
  onChange: (value: string) => void;
  /** Completions: `flow_input.count`, `results.fetch.items`… */
  suggestions: readonly string[];
  placeholder?: string;
}

const MAX_SHOWN = 8;

/** The name being typed at the end of the expression (`results.fe` in `1 + results.fe`). */
export function trailingName(text: string): string {
  return /[A-Za-z_$][\w$.[\]]*$/.exec(text)?.[0] ?? "";
}

/** The suggestions that continue what is being typed (all of them for an empty box). */
export function matchingSuggestions(text: string, suggestions: readonly string[]): string[] {
  const typed = trailingName(text);
  if (typed === "" && text.trim() !== "") return [];
  return suggestions.filter((s) => s.startsWith(typed) && s !== typed).slice(0, MAX_SHOWN);
}

/**
 * A one-line JavaScript expression with a completion list under it while it has focus. A
 * plain text box (not CodeMirror): names this short need no more, and it keeps every field
 * of the panel light.
 */
export function ExpressionInput({ label, visibleLabel, value, onChange, suggestions, placeholder }: ExpressionInputProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const matches = open ? matchingSuggestions(value, suggestions) : [];
  const shown = matches.length > 0;

  const accept = (suggestion: string) => {
    onChange(value.slice(0, value.length - trailingName(value).length) + suggestion);
    setActive(0);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!shown) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (a + step + matches.length) % matches.length);
    } else if (event.key === "Enter" || (event.key === "Tab" && !event.shiftKey)) {
      event.preventDefault();
      accept(matches[Math.min(active, matches.length - 1)]!);
    } else if (event.key === "Escape") {
      event.stopPropagation(); // a dialog around it stays open
      setOpen(false);
    }
  };

  return (
    <div className="field flow-expression">
      {visibleLabel !== undefined && <label htmlFor={id}>{visibleLabel}</label>}
      <input
        id={id}
        type="text"
        className="mono"
        aria-label={label}
        aria-autocomplete="list"
        aria-controls={shown ? `${id}-suggestions` : undefined}
        aria-activedescendant={shown ? `${id}-option-${Math.min(active, matches.length - 1)}` : undefined}
        value={value}
        placeholder={placeholder ?? "flow_input.name"}
        spellCheck={false}
        autoComplete="off"
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
        onChange={(event) => {
          setOpen(true);
          setActive(0);
          onChange(event.target.value);
        }}
      />
      {shown && (
        <ul className="flow-suggestions" role="listbox" id={`${id}-suggestions`} aria-label="Suggestions">
          {matches.map((s, i) => (
            <li
              key={s}
              id={`${id}-option-${i}`}
              role="option"
              aria-selected={i === Math.min(active, matches.length - 1)}
              className="mono"
              // mousedown, not click: the box keeps focus (a click would blur it and close the list first).
              onMouseDown={(event) => {
                event.preventDefault();
                accept(s);
              }}
            >
              {s}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
