import { inputProps, type WidgetProps } from "./types";

/** Any value (or an object of unknown shape), typed as JSON; the form holds the text. */
export function JsonWidget(props: WidgetProps) {
  const text = typeof props.value === "string" ? props.value : "";
  return (
    <textarea
      {...inputProps(props)}
      className="mono"
      spellCheck={false}
      rows={Math.min(10, Math.max(2, text.split("\n").length))}
      placeholder='JSON, e.g. {"key": 1}'
      value={text}
      onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value)}
    />
  );
}
