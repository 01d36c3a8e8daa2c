import { inputProps, type WidgetProps } from "./types";

function placeholder(props: WidgetProps): string | undefined {
  const { placeholder: text, examples } = props.schema;
  if (typeof text === "string") return text;
  return Array.isArray(examples) && examples.length > 0 ? String(examples[0]) : undefined;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

/** A one-line text input of `type` (text, email, url, date). */
function TextInput({ type, ...props }: WidgetProps & { type: string }) {
  const { minLength, maxLength, pattern } = props.schema;
  return (
    <input
      {...inputProps(props)}
      type={type}
      value={text(props.value)}
      placeholder={placeholder(props)}
      minLength={typeof minLength === "number" ? minLength : undefined}
      maxLength={typeof maxLength === "number" ? maxLength : undefined}
      pattern={typeof pattern === "string" ? pattern : undefined}
      onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value)}
    />
  );
}

export function TextWidget(props: WidgetProps) {
  return <TextInput {...props} type="text" />;
}

export function EmailWidget(props: WidgetProps) {
  return <TextInput {...props} type="email" />;
}

export function UriWidget(props: WidgetProps) {
  return <TextInput {...props} type="url" />;
}

/** `format: date`: the value is `YYYY-MM-DD`, as the input gives it. */
export function DateWidget(props: WidgetProps) {
  return <TextInput {...props} type="date" />;
}

/** Long text (`format: textarea`, `x-multiline`). */
export function TextareaWidget(props: WidgetProps) {
  const value = text(props.value);
  return (
    <textarea
      {...inputProps(props)}
      rows={Math.min(12, Math.max(3, value.split("\n").length))}
      value={value}
      placeholder={placeholder(props)}
      onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value)}
    />
  );
}
