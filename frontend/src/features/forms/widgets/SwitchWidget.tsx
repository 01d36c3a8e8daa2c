import { inputProps, type WidgetProps } from "./types";

/** `boolean`: an on/off switch; its label is the field's. */
export function SwitchWidget(props: WidgetProps) {
  const checked = props.value === true;
  return (
    <span className="switch">
      <input
        {...inputProps(props)}
        type="checkbox"
        role="switch"
        aria-checked={checked}
        checked={checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <span className="switch-track" aria-hidden="true" />
      <span className="switch-label muted" aria-hidden="true">
        {checked ? "true" : "false"}
      </span>
    </span>
  );
}
