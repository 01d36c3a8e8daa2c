import { createContext, useContext } from "react";
import type { Workspace } from "../../api/client";
import type { FormErrors } from "./schemaForm";

/** What every field of one SchemaForm shares, so it is not passed down each level. */
export interface FormContextValue {
  idPrefix: string;
  /** The messages to show now, by field path. */
  errors: FormErrors;
  disabled: boolean;
  /** The user left the field at `path`: its errors may show. */
  touch: (path: string) => void;
  /**
   * The workspace the form runs in: resource fields pick among its resources, secret fields
   * among its secrets. Null (a form outside any workspace): they are typed as text.
   */
  workspace: Workspace | null;
}

export const FormContext = createContext<FormContextValue>({
  idPrefix: "field",
  errors: {},
  disabled: false,
  touch: () => undefined,
  workspace: null,
});

export function useFormContext(): FormContextValue {
  return useContext(FormContext);
}

/** The id of the input at `path` (`address.city`); its hint and error add a suffix. */
export function fieldId(idPrefix: string, path: string): string {
  return `${idPrefix}-${path}`;
}
