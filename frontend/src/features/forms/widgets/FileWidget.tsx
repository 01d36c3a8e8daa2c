import { useState } from "react";
import { inputProps, type WidgetProps } from "./types";

/** `contentEncoding: base64` (Python `bytes`): a file, sent as its base64. */
export function FileWidget(props: WidgetProps) {
  const [file, setFile] = useState<{ name: string; size: number } | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const base64 = typeof props.value === "string" ? props.value : "";

  function read(chosen: File | undefined) {
    setReadError(null);
    if (chosen === undefined) return;
    const reader = new FileReader();
    reader.onload = () => {
      // A data URL: "data:<type>;base64,<payload>".
      const url = String(reader.result);
      setFile({ name: chosen.name, size: chosen.size });
      props.onChange(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => setReadError(`Could not read ${chosen.name}`);
    reader.readAsDataURL(chosen);
  }

  return (
    <div className="file-widget">
      <input {...inputProps(props)} type="file" onChange={(e) => read(e.target.files?.[0])} />
      {base64 !== "" && (
        <span className="field-hint" data-testid={`${props.id}-file`}>
          {file ? `${file.name} (${formatBytes(file.size)})` : `Current value: ${formatBytes(decodedSize(base64))}`}{" "}
          <button
            type="button"
            className="button-link"
            disabled={props.disabled}
            onClick={() => {
              setFile(null);
              props.onChange(undefined);
            }}
          >
            Remove
          </button>
        </span>
      )}
      {readError && <span className="field-error">{readError}</span>}
    </div>
  );
}

function decodedSize(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
