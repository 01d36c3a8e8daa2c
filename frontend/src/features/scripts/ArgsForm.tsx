import { useId, useState, type FormEvent, type ReactNode } from "react";

type Parsed = { ok: true; args: Record<string, unknown> } | { ok: false; message: string };

export function parseArgs(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (error) {
    return { ok: false, message: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "The arguments must be a JSON object, e.g. {\"name\": \"world\"}" };
  }
  return { ok: true, args: value as Record<string, unknown> };
}

interface ArgsFormProps {
  /** The textarea's first content (JSON). */
  initialText: string;
  submitLabel: string;
  /** The accessible name of the form. */
  label: string;
  pending: boolean;
  /** The API's refusal of the last submit, if any. */
  error: Error | null;
  /** Called with the parsed arguments; invalid JSON never gets here. */
  onSubmit: (args: Record<string, unknown>) => void;
  /** The user edited the text: a shown API error no longer applies. */
  onEdit?: () => void;
  /** More controls between the error and the submit button. */
  children?: ReactNode;
  /** Next to the submit button (e.g. a Cancel button). */
  actions?: ReactNode;
}

/**
 * Arguments typed as JSON, checked locally before they are sent. A stopgap
 * until the arguments form is generated from the script's schema.
 */
export function ArgsForm({
  initialText,
  submitLabel,
  label,
  pending,
  error,
  onSubmit,
  onEdit,
  children,
  actions,
}: ArgsFormProps) {
  const id = useId();
  const [text, setText] = useState(initialText);
  const [invalid, setInvalid] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseArgs(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    onSubmit(parsed.args);
  }

  const message = invalid ?? error?.message ?? null;

  return (
    <form className="run-form" onSubmit={submit} aria-label={label}>
      <div className="field">
        <label htmlFor={id}>Arguments (JSON)</label>
        <textarea
          id={id}
          className="mono"
          rows={Math.min(12, Math.max(3, text.split("\n").length))}
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setInvalid(null);
            onEdit?.();
          }}
        />
      </div>
      {message !== null && (
        <p className="form-error" role="alert">
          {message}
        </p>
      )}
      {children}
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={pending}>
          {submitLabel}
        </button>
        {actions}
      </div>
    </form>
  );
}
