/**
 * The preview form's values across schema changes. The code (and the default
 * edited in the Schema tab) changes under a form the user may have filled in:
 * what they typed stays, a field they left alone follows its new default, and a
 * parameter that is gone takes its value with it (it would be refused on run).
 */
import { initialValues, type FormValue } from "../forms/schemaForm";
import { properties, resolveField, type Schema } from "../forms/schemaKind";
import { sameJson } from "./schemaEdits";

export interface PreviewValues {
  value: FormValue;
  /** The default each field was last filled with, to tell "left alone" from "typed". */
  seeded: FormValue;
}

export const EMPTY_PREVIEW: PreviewValues = { value: {}, seeded: {} };

export function reseed(previous: PreviewValues, schema: Schema): PreviewValues {
  const names = properties(resolveField(schema).schema).map((p) => p.name);
  const defaults = initialValues(schema);
  const value: FormValue = {};
  for (const name of names) {
    const current = previous.value[name];
    const untouched = current === undefined || sameJson(current, previous.seeded[name]);
    const next = untouched ? defaults[name] : current;
    if (next !== undefined) value[name] = next;
  }
  return { value, seeded: defaults };
}
