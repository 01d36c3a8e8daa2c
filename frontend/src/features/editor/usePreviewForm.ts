import { useCallback, useMemo, useState } from "react";
import { validate, type FormErrors, type FormValue } from "../forms/schemaForm";
import type { Schema } from "../forms/schemaKind";
import { EMPTY_PREVIEW, reseed, type PreviewValues } from "./previewValues";

/** The preview form's state: useSchemaForm's, but surviving a schema that changes as the code does. */
export function usePreviewForm(schema: Schema | null) {
  const [state, setState] = useState<{ schema: Schema | null; values: PreviewValues }>({
    schema: null,
    values: EMPTY_PREVIEW,
  });
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  // Reseeded while rendering, so a new field shows its default in the same frame as the field.
  if (schema !== state.schema) setState({ schema, values: schema ? reseed(state.values, schema) : state.values });

  const value = state.values.value;
  const errors = useMemo(() => (schema ? validate(schema, value) : {}), [schema, value]);
  const shown = useMemo<FormErrors>(
    () => (submitted ? errors : Object.fromEntries(Object.entries(errors).filter(([path]) => touched.has(path)))),
    [errors, submitted, touched],
  );
  const setValue = useCallback(
    (next: FormValue) => setState((s) => ({ ...s, values: { ...s.values, value: next } })),
    [],
  );
  const touch = useCallback(
    (path: string) => setTouched((paths) => (paths.has(path) ? paths : new Set(paths).add(path))),
    [],
  );
  /** Shows every error; whether the values can be sent. */
  const trySubmit = useCallback((): boolean => {
    setSubmitted(true);
    return Object.keys(errors).length === 0;
  }, [errors]);
  return { value, setValue, shown, touch, trySubmit };
}
