import { useVariables } from "../../vault/queries";
import { varPath, varRef } from "../../vault/references";
import { useFormContext } from "../formContext";
import { inputProps, type WidgetProps } from "./types";

/**
 * `format: password`: typed masked, or a secret variable picked from the workspace's, which
 * fills in `$var:<path>` (the worker puts the secret in its place when the job starts).
 */
export function PasswordWidget(props: WidgetProps) {
  const { workspace } = useFormContext();
  const value = typeof props.value === "string" ? props.value : "";
  // A reference is no secret: shown as it is.
  const reference = varPath(value) !== null;
  return (
    <div className="input-unit">
      <input
        {...inputProps(props)}
        type={reference ? "text" : "password"}
        className={reference ? "mono" : undefined}
        autoComplete="new-password"
        spellCheck={false}
        value={value}
        onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value)}
      />
      {/* Operators may not list variables; typing still works. */}
      {workspace !== null && workspace.role !== "operator" && (
        <SecretSelect {...props} workspaceId={workspace.id} value={value} />
      )}
    </div>
  );
}

function SecretSelect({ workspaceId, label, value, onChange, disabled }: WidgetProps & { workspaceId: string; value: string }) {
  const variables = useVariables(workspaceId);
  if (!variables.isSuccess) return null;
  const secrets = variables.data.filter((variable) => variable.is_secret);
  const current = varPath(value);
  const selected = current !== null && secrets.some((s) => s.path === current) ? value : "";
  return (
    <select
      className="secret-select"
      aria-label={`${label}: use a secret`}
      disabled={disabled || secrets.length === 0}
      value={selected}
      onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
    >
      <option value="">{secrets.length === 0 ? "No secrets yet" : "Use a secret…"}</option>
      {secrets.map((secret) => (
        <option key={secret.path} value={varRef(secret.path)}>
          {secret.path}
        </option>
      ))}
    </select>
  );
}
