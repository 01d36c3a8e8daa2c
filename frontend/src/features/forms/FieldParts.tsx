/** The pieces around every widget: the required mark, the help text, the error. */

export function RequiredMark({ required }: { required: boolean }) {
  return required ? (
    <span className="field-required" aria-hidden="true" title="Required">
      *
    </span>
  ) : null;
}

export function Hint({ id, text }: { id: string; text: string | null }) {
  return text ? (
    <div className="field-hint" id={id}>
      {text}
    </div>
  ) : null;
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p className="field-error" id={id}>
      {message}
    </p>
  ) : null;
}

/** The ids an input is described by: its hint and its error, when shown. */
export function describedBy(id: string, hint: string | null, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

export function descriptionOf(schema: Record<string, unknown>): string | null {
  return typeof schema.description === "string" && schema.description !== "" ? schema.description : null;
}
