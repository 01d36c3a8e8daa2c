/** Small labelled controls the step panel repeats: a number, a checkbox, a line of text. */
import { useId } from "react";

interface NumberFieldProps {
  label: string;
  value: number | undefined;
  /** undefined: the field was emptied (the option is removed). */
  onChange: (value: number | undefined) => void;
  min?: number;
  unit?: string;
}

export function NumberField({ label, value, onChange, min = 0, unit }: NumberFieldProps) {
  const id = useId();
  return (
    <div className="field flow-number">
      <label htmlFor={id}>{label}</label>
      <span className="input-unit">
        <input
          id={id}
          type="number"
          min={min}
          value={value ?? ""}
          onChange={(event) => {
            const text = event.target.value;
            onChange(text === "" || Number.isNaN(Number(text)) ? undefined : Number(text));
          }}
        />
        {unit && <span className="unit">{unit}</span>}
      </span>
    </div>
  );
}

export function CheckboxField({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="checkbox flow-checkbox">
      <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} /> {label}
    </label>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  mono?: boolean;
  onBlur?: () => void;
  error?: string | null;
}

export function TextField({ label, value, onChange, placeholder, mono, onBlur, error }: TextFieldProps) {
  const id = useId();
  return (
    <div className={error ? "field setting-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        className={mono ? "mono" : undefined}
        value={value}
        placeholder={placeholder}
        spellCheck={mono ? false : undefined}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
        onBlur={onBlur}
      />
      {error && (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}
