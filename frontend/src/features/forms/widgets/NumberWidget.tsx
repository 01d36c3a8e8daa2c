import { inputProps, type WidgetProps } from "./types";

/** `number` / `integer`: the value is a number (empty: undefined, the argument omitted). */
export function NumberWidget(props: WidgetProps) {
  const { type, minimum, maximum, multipleOf } = props.schema;
  const step = typeof multipleOf === "number" ? multipleOf : type === "integer" ? 1 : "any";
  return (
    <input
      {...inputProps(props)}
      type="number"
      inputMode={type === "integer" ? "numeric" : "decimal"}
      step={step}
      min={typeof minimum === "number" ? minimum : undefined}
      max={typeof maximum === "number" ? maximum : undefined}
      value={typeof props.value === "number" || typeof props.value === "string" ? props.value : ""}
      onChange={(e) => {
        const n = e.target.valueAsNumber;
        props.onChange(e.target.value === "" || Number.isNaN(n) ? undefined : n);
      }}
    />
  );
}
