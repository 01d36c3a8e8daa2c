import { enumOptions } from "../schemaKind";
import { inputProps, type WidgetProps } from "./types";

/** `enum` or `anyOf` of consts: a select; the value is the option's own (string, number…), not its label. */
export function SelectWidget(props: WidgetProps) {
  const options = enumOptions(props.schema);
  const index = options.findIndex((o) => JSON.stringify(o.value) === JSON.stringify(props.value));
  return (
    <select
      {...inputProps(props)}
      value={index === -1 ? "" : String(index)}
      onChange={(e) => props.onChange(e.target.value === "" ? undefined : options[Number(e.target.value)]?.value)}
    >
      {/* Always offered, so an optional choice can be cleared and an unknown value is not shown as another. */}
      <option value="">{props.required ? "Choose…" : "—"}</option>
      {options.map((option, i) => (
        <option key={i} value={String(i)}>
          {option.label}
        </option>
      ))}
    </select>
  );
}
