import { inputProps, type WidgetProps } from "./types";

/**
 * `format: resource-<type>`: the path of a resource, typed for now. Its own
 * widget so that a picker of the workspace's resources can replace it.
 */
export function ResourceWidget(props: WidgetProps) {
  const format = String(props.schema.format);
  const hintId = `${props.id}-resource`;
  return (
    <>
      <input
        {...inputProps(props)}
        aria-describedby={[hintId, props.describedBy].filter(Boolean).join(" ")}
        type="text"
        className="mono"
        value={typeof props.value === "string" ? props.value : ""}
        onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value)}
      />
      <span className="field-hint" id={hintId}>
        Resource path ({format})
      </span>
    </>
  );
}
