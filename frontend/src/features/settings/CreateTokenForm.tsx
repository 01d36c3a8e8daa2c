import { useState, type FormEvent } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { MAX_EXPIRY_DAYS, tokenFromDraft, type TokenDraft } from "./tokenForm";

interface CreateTokenFormProps {
  /** Accessible name of the form, e.g. "New API token". */
  name: string;
  /** Prefix of the inputs' ids (several forms can be on one page). */
  idPrefix: string;
  submitLabel: string;
  pending: boolean;
  error: Error | null;
  /** Resolves once created; the form then empties. */
  onCreate: (input: { label: string; expires_in_days?: number }) => Promise<unknown>;
}

/** Label and optional expiry in days: all a personal or webhook token needs. */
export function CreateTokenForm({ name, idPrefix, submitLabel, pending, error, onCreate }: CreateTokenFormProps) {
  const [draft, setDraft] = useState<TokenDraft>({ label: "", days: "" });
  const [invalid, setInvalid] = useState<{ field: "label" | "days"; message: string } | null>(null);
  const errorId = `${idPrefix}-error`;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = tokenFromDraft(draft);
    if (!result.ok) {
      setInvalid({ field: result.field, message: result.message });
      return;
    }
    setInvalid(null);
    onCreate(result.value).then(
      () => setDraft({ label: "", days: "" }),
      () => undefined, // shown from `error`
    );
  }

  return (
    <form className="inline-form" aria-label={name} onSubmit={onSubmit} noValidate>
      <div className="field field-inline field-grow">
        <label htmlFor={`${idPrefix}-label`}>Label</label>
        <input
          id={`${idPrefix}-label`}
          value={draft.label}
          maxLength={100}
          placeholder="e.g. CI deploys"
          aria-invalid={invalid?.field === "label"}
          aria-describedby={invalid?.field === "label" ? errorId : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, label: e.target.value }))}
        />
      </div>
      <div className="field field-inline">
        <label htmlFor={`${idPrefix}-days`}>Expires in (days)</label>
        <input
          id={`${idPrefix}-days`}
          className="field-narrow"
          type="number"
          min={1}
          max={MAX_EXPIRY_DAYS}
          placeholder="never"
          value={draft.days}
          aria-invalid={invalid?.field === "days"}
          aria-describedby={invalid?.field === "days" ? errorId : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, days: e.target.value }))}
        />
      </div>
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? "Creating…" : submitLabel}
      </button>
      {invalid && (
        <p className="form-error" role="alert" id={errorId}>
          {invalid.message}
        </p>
      )}
      {error && !invalid && (
        <div className="inline-form-error">
          <ErrorMessage error={error} />
        </div>
      )}
    </form>
  );
}
