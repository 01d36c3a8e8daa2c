interface SegmentedProps<V extends string> {
  options: readonly (readonly [value: V, label: string])[];
  value: V;
  onChange: (value: V) => void;
  /** The group's accessible name; omitted: the buttons' own labels say enough. */
  label?: string;
  className?: string;
}

/** A few mutually exclusive choices as pressed-or-not buttons (Graph / YAML, Static / Expression). */
export function Segmented<V extends string>({ options, value, onChange, label, className }: SegmentedProps<V>) {
  return (
    <span className={className ? `segmented ${className}` : "segmented"} role="group" aria-label={label}>
      {options.map(([option, text]) => (
        <button
          key={option}
          type="button"
          className="segmented-option"
          aria-pressed={value === option}
          onClick={() => onChange(option)}
        >
          {text}
        </button>
      ))}
    </span>
  );
}
