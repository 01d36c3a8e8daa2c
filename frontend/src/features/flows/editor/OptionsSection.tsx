import type { FlowModule, StopCondition } from "../model/types";
import { ExpressionInput } from "./ExpressionInput";
import { CheckboxField, NumberField, TextField } from "./fields";
import { useModuleUpdate } from "./useEdit";

/** `module` with `key` set, or without it when `value` is undefined (an option left empty is no option). */
export function withOption<K extends keyof FlowModule>(module: FlowModule, key: K, value: FlowModule[K] | undefined): FlowModule {
  const next = { ...module };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

interface OptionsSectionProps {
  module: FlowModule;
  suggestions: readonly string[];
}

/** Retry, timeout, sleep, skip_if, stop_after_if, continue_on_error and approval (docs/flows.md, "Options"). */
export function OptionsSection({ module, suggestions }: OptionsSectionProps) {
  const update = useModuleUpdate(module.id);
  const constant = module.retry?.constant ?? {};
  const setRetry = (attempts: number | undefined, seconds: number | undefined) =>
    update("retry", (m) => {
      const { constant: _old, ...rest } = m.retry ?? {};
      const retry = attempts === undefined ? rest : { ...rest, constant: { attempts, seconds: seconds ?? 0 } };
      return withOption(m, "retry", Object.keys(retry).length === 0 ? undefined : retry);
    });
  const stop = module.stop_after_if;
  const setStop = (next: Partial<StopCondition>) =>
    update("stop_after_if", (m) => {
      const merged = { ...m.stop_after_if, expr: m.stop_after_if?.expr ?? "", ...next };
      if (merged.error_message === "") delete merged.error_message;
      return withOption(m, "stop_after_if", merged.expr === "" && !merged.error_message ? undefined : merged);
    });
  const suspend = module.suspend;

  return (
    <section className="flow-panel-section" aria-label="Options">
      <h3>Options</h3>
      <div className="flow-option-row">
        <NumberField label="Retry attempts" value={constant.attempts} onChange={(n) => setRetry(n, constant.seconds)} />
        <NumberField label="Retry delay" unit="s" value={constant.seconds} onChange={(n) => setRetry(constant.attempts ?? 1, n)} />
      </div>
      <div className="flow-option-row">
        <NumberField label="Timeout" unit="s" value={module.timeout} onChange={(n) => update("timeout", (m) => withOption(m, "timeout", n))} />
        {typeof module.sleep === "object" ? (
          <p className="muted">Sleep is an expression: edit it in the YAML view.</p>
        ) : (
          <NumberField label="Sleep after" unit="s" value={module.sleep} onChange={(n) => update("sleep", (m) => withOption(m, "sleep", n))} />
        )}
      </div>
      <ExpressionInput
        label="Skip if"
        visibleLabel="Skip if"
        placeholder="flow_input.dry_run"
        value={module.skip_if?.expr ?? ""}
        suggestions={suggestions}
        onChange={(expr) => update("skip_if", (m) => withOption(m, "skip_if", expr === "" ? undefined : { expr }))}
      />
      <ExpressionInput
        label="Stop after if"
        visibleLabel="Stop after if (result is this step's result)"
        placeholder="result.length === 0"
        value={stop?.expr ?? ""}
        suggestions={["result", ...suggestions]}
        onChange={(expr) => setStop({ expr })}
      />
      {stop !== undefined && (
        <TextField
          label="Stop error message"
          placeholder="Empty: the flow (or loop) ends successfully"
          value={stop.error_message ?? ""}
          onChange={(error_message) => setStop({ error_message })}
        />
      )}
      <CheckboxField
        label="Continue on error"
        checked={module.continue_on_error === true}
        onChange={(on) => update("continue_on_error", (m) => withOption(m, "continue_on_error", on ? true : undefined))}
      />
      <CheckboxField
        label="Wait for approval after this step"
        checked={suspend !== undefined}
        onChange={(on) => update("suspend", (m) => withOption(m, "suspend", on ? { required_events: 1 } : undefined))}
      />
      {suspend !== undefined && (
        <div className="flow-option-row">
          <NumberField
            label="Required approvals"
            min={1}
            value={suspend.required_events}
            onChange={(n) => update("suspend", (m) => withOption(m, "suspend", { ...m.suspend, required_events: n ?? 1 }))}
          />
          <NumberField
            label="Approval timeout"
            unit="s"
            value={suspend.timeout}
            onChange={(n) =>
              update("suspend", (m) => {
                const { timeout: _old, ...rest } = m.suspend ?? {};
                return withOption(m, "suspend", n === undefined ? rest : { ...rest, timeout: n });
              })
            }
          />
        </div>
      )}
    </section>
  );
}
