import type { Schema } from "../schemaKind";

/** What every leaf widget gets; `onChange(undefined)` empties the field (the argument is omitted). */
export interface WidgetProps {
  id: string;
  /** The field's label, for the accessible names of a widget's extra controls. */
  label: string;
  schema: Schema;
  value: unknown;
  onChange: (value: unknown) => void;
  onBlur: () => void;
  required: boolean;
  disabled: boolean;
  invalid: boolean;
  /** Ids of the hint and error, for `aria-describedby`. */
  describedBy: string | undefined;
}

/** The attributes every widget's input carries. */
export function inputProps({ id, onBlur, required, disabled, invalid, describedBy }: WidgetProps) {
  return {
    id,
    onBlur,
    disabled,
    "aria-required": required || undefined,
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy,
  };
}
