import { useId } from "react";
import { useScript, useScripts } from "../../scripts/queries";
import type { FlowModule, ScriptValue, SubflowValue } from "../model/types";
import { useFlow, useFlowList } from "../queries";
import { InputsSection } from "./InputsSection";
import { useModuleUpdate } from "./useEdit";

interface PathStepProps {
  workspaceId: string;
  module: FlowModule & { value: ScriptValue | SubflowValue };
  suggestions: readonly string[];
  flowInputs: readonly string[];
}

/** A saved script or another flow, picked by path (a search over the ones you may see); its schema gives the inputs. */
export function PathStep({ workspaceId, module, suggestions, flowInputs }: PathStepProps) {
  const id = useId();
  const update = useModuleUpdate(module.id);
  const isScript = module.value.type === "script";
  const path = module.value.path ?? "";
  const scripts = useScripts(workspaceId);
  const flows = useFlowList(workspaceId);
  const options = (isScript ? scripts.data : flows.data) ?? [];
  // Only a path that exists is fetched: not one request per keystroke while searching.
  const exists = options.some((o) => o.path === path);
  const script = useScript(workspaceId, isScript && exists ? path : "");
  const subflow = useFlow(workspaceId, path, { enabled: !isScript && exists });
  const schema = exists ? ((isScript ? script.data?.schema : subflow.data?.schema) ?? null) : null;

  return (
    <>
      <section className="flow-panel-section" aria-label={isScript ? "Script" : "Subflow"}>
        <div className="field">
          <label htmlFor={id}>{isScript ? "Script path" : "Flow path"}</label>
          <input
            id={id}
            type="search"
            className="mono"
            list={`${id}-options`}
            value={path}
            placeholder={isScript ? "f/folder/script" : "f/folder/flow"}
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => update("path", (m) => ({ ...m, value: { ...m.value, path: event.target.value } }) as FlowModule)}
          />
          <datalist id={`${id}-options`}>
            {options.map((o) => (
              <option key={o.path} value={o.path}>
                {o.summary}
              </option>
            ))}
          </datalist>
          {path !== "" && !exists && (isScript ? scripts.isSuccess : flows.isSuccess) && (
            <div className="field-hint">No {isScript ? "script" : "flow"} you can see has this path.</div>
          )}
        </div>
      </section>
      {exists ? (
        <InputsSection module={module} schema={schema} suggestions={suggestions} flowInputs={flowInputs} />
      ) : (
        <p className="muted">Pick a {isScript ? "script" : "flow"} to set its inputs.</p>
      )}
    </>
  );
}
