import { useCallback, useMemo, useState } from "react";
import { validate, type FormErrors, type FormValue } from "./schemaForm";

/**
 * A SchemaForm's state: its value, and which errors to show (a field's once
 * it was left, every field's once a submit was tried).
 */
export function useSchemaForm(schema: unknown, initial: () => FormValue) {
  const [value, setValue] = useState<FormValue>(initial);
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const errors = useMemo(() => validate(schema, value), [schema, value]);
  const shown = useMemo(() => {
    if (submitted) return errors;
    return Object.fromEntries(Object.entries(errors).filter(([path]) => touched.has(path))) as FormErrors;
  }, [errors, submitted, touched]);
  const touch = useCallback(
    (path: string) => setTouched((paths) => (paths.has(path) ? paths : new Set(paths).add(path))),
    [],
  );
  /** Marks the form submitted; returns whether it can be sent. */
  const trySubmit = useCallback((): boolean => {
    setSubmitted(true);
    return Object.keys(errors).length === 0;
  }, [errors]);
  return { value, setValue, errors, shown, touch, trySubmit };
}
