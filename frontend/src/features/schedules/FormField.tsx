import type { ReactNode } from "react";
import type { FormErrors } from "./scheduleForm";

export function inputId(name: string): string {
  return `schedule-${name.replace(/\./g, "-")}`;
}

export interface InputProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby"?: string;
}

interface FormFieldProps {
  /** The API's name of the field (`on_failure.path`): its id and where its errors go. */
  name: string;
  label: string;
  hint?: ReactNode;
  /** Takes the whole row. */
  wide?: boolean;
  errors: FormErrors;
  /** Under the input (the cron preview); its id is added to the input's description. */
  below?: { id: string; node: ReactNode };
  children: (props: InputProps) => ReactNode;
}

/** A label, the input, a hint and the API's error about it. */
export function FormField({ name, label, hint, wide = false, errors, below, children }: FormFieldProps) {
  const id = inputId(name);
  const error = errors[name];
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : "", below?.id ?? ""].filter(Boolean);
  const classes = ["field", "setting", error ? "setting-invalid" : "", wide ? "field-full" : ""];
  return (
    <div className={classes.filter(Boolean).join(" ")}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": described.join(" ") || undefined })}
      {hint && (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <p className="field-error" role="alert" id={`${id}-error`}>
          {error}
        </p>
      )}
      {below?.node}
    </div>
  );
}
