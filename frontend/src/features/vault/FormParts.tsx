/** Pieces every vault dialog's form shares. */

/** A field's error, announced when it appears. */
export function FieldMessage({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p className="field-error" id={id} role="alert">
      {message}
    </p>
  ) : null;
}

interface FormFooterProps {
  /** An error that belongs to no one field (the server's, or the network's). */
  message: string | null;
  pending: boolean;
  submitLabel: string;
  onCancel: () => void;
}

/** The form's own error, then Save (or Create) and Cancel. */
export function FormFooter({ message, pending, submitLabel, onCancel }: FormFooterProps) {
  return (
    <>
      {message !== null && (
        <p className="form-error" role="alert">
          {message}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
