import { useState } from "react";
import { Link, useInRouterContext, useLocation } from "react-router";
import type { Workspace } from "../../../api/client";
import { resourcesUrl } from "../../vault/links";
import { useResources } from "../../vault/queries";
import { resPath, resRef } from "../../vault/references";
import { useFormContext } from "../formContext";
import { resourceType } from "../schemaKind";
import { inputProps, type WidgetProps } from "./types";

/** The select's value of the "Custom JSON or text…" option (never a `$res:` reference). */
const CUSTOM = "custom:";

function describedBy(...ids: (string | undefined | false)[]): string | undefined {
  const list = ids.filter(Boolean);
  return list.length > 0 ? list.join(" ") : undefined;
}

/**
 * `format: resource-<type>`: a picker of the workspace's resources of that type, whose value is
 * `$res:<path>` (the worker puts the resource's value in its place when the job starts). A value
 * that is not such a reference (an object, some text) is kept as a custom value. Outside a
 * workspace, or when the resources cannot be listed, the value is typed.
 */
export function ResourceWidget(props: WidgetProps) {
  const { workspace } = useFormContext();
  const type = resourceType(props.schema) ?? "";
  if (workspace === null) return <ResourceText {...props} type={type} />;
  return <ResourcePicker {...props} type={type} workspace={workspace} />;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The custom value: `$res:<path>`, other text, or a JSON object; grows with its lines. */
function CustomInput(props: WidgetProps & { inputId: string; ariaLabel?: string; hintId?: string }) {
  const value = text(props.value);
  return (
    <textarea
      {...inputProps(props)}
      id={props.inputId}
      aria-label={props.ariaLabel}
      aria-describedby={describedBy(props.hintId, props.describedBy)}
      className="mono"
      spellCheck={false}
      rows={Math.min(10, Math.max(1, value.split("\n").length))}
      placeholder='$res:f/folder/name, or {"key": "value"}'
      value={value}
      onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value)}
    />
  );
}

function ResourceText(props: WidgetProps & { type: string }) {
  const hintId = `${props.id}-resource`;
  return (
    <div className="resource-widget">
      <CustomInput {...props} inputId={props.id} hintId={hintId} />
      <span className="field-hint" id={hintId}>
        A {props.type} resource: <code>$res:&lt;path&gt;</code>, or its value as JSON
      </span>
    </div>
  );
}

function ResourcePicker(props: WidgetProps & { type: string; workspace: Workspace }) {
  const { id, type, workspace, label, required } = props;
  const resources = useResources(workspace.id, type);
  const value = text(props.value);
  const picked = resPath(value);
  const [customChosen, setCustomChosen] = useState(false);
  // Anything but a reference (an object's JSON, other text) is a custom value, kept as it is.
  const custom = customChosen || (value !== "" && picked === null);

  // Cannot list them (the API refused, or is older): type the reference instead.
  if (resources.isError) return <ResourceText {...props} />;

  const listed = resources.data ?? [];
  // A reference to one not (yet) listed stays selectable, so it is not lost.
  const unlisted = picked !== null && !listed.some((r) => r.path === picked);
  const empty = resources.isSuccess && listed.length === 0;
  const hintId = `${id}-resources`;

  function choose(option: string) {
    if (option === CUSTOM) {
      setCustomChosen(true);
      return;
    }
    setCustomChosen(false);
    props.onChange(option === "" ? undefined : option);
  }

  return (
    <div className="resource-widget">
      <select
        {...inputProps(props)}
        aria-describedby={describedBy(empty && hintId, props.describedBy)}
        value={custom ? CUSTOM : value}
        onChange={(e) => choose(e.target.value)}
      >
        <option value="">
          {resources.isPending ? "Loading resources…" : required ? "Choose a resource…" : "—"}
        </option>
        {listed.map((resource) => (
          <option key={resource.path} value={resRef(resource.path)} title={resource.description || undefined}>
            {resource.path}
          </option>
        ))}
        {unlisted && <option value={value}>{picked}</option>}
        <option value={CUSTOM}>Custom JSON or text…</option>
      </select>
      {custom && (
        <CustomInput {...props} inputId={`${id}-custom`} ariaLabel={`${label}: custom value`} />
      )}
      {empty && (
        <span className="field-hint" id={hintId}>
          No {type} resources you may use
          <CreateResourceLink workspace={workspace} />
        </span>
      )}
    </div>
  );
}

/** "— create one", to the Resources page (in a new tab: the form keeps what was typed); not for operators. */
function CreateResourceLink({ workspace }: { workspace: Workspace }) {
  const inRouter = useInRouterContext();
  if (!inRouter || workspace.role === "operator") return null;
  return <StudioLink workspaceId={workspace.id} />;
}

function StudioLink({ workspaceId }: { workspaceId: string }) {
  const { pathname } = useLocation();
  // The apps view is the operators' page: no way into the studio from there.
  if (pathname.startsWith("/apps/")) return null;
  return (
    <>
      {" — "}
      <Link to={resourcesUrl(workspaceId)} target="_blank" rel="noreferrer">
        create one
      </Link>
    </>
  );
}
