import { isoToLocal, localToIso } from "../datetime";
import { inputProps, type WidgetProps } from "./types";

/** `format: date-time`: shown in local time, held (and sent) as ISO 8601 with the local offset. */
export function DateTimeWidget(props: WidgetProps) {
  const value = typeof props.value === "string" ? isoToLocal(props.value) : "";
  return (
    <input
      {...inputProps(props)}
      type="datetime-local"
      step={1}
      value={value}
      onChange={(e) => props.onChange(localToIso(e.target.value) || undefined)}
    />
  );
}
