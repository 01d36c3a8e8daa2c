import { useEffect, useId, useRef } from "react";
import { LazyCodeEditor } from "../../editor/LazyCodeEditor";
import { canonicalLanguage, isTemplate, LANGUAGES, languageInfo } from "../../editor/languages";
import { useLiveSchema } from "../../editor/useLiveSchema";
import { properties, resolveField } from "../../forms/schemaKind";
import type { FlowModule, RawScriptValue } from "../model/types";
import { InputsSection } from "./InputsSection";
import { StepTest } from "./StepTest";
import { useModuleUpdate } from "./useEdit";

interface CodeStepProps {
  workspaceId: string;
  module: FlowModule & { value: RawScriptValue };
  suggestions: readonly string[];
  flowInputs: readonly string[];
}

/** An inline script: its language, its code (read live for parameters), the inputs they make. */
export function CodeStep({ workspaceId, module, suggestions, flowInputs }: CodeStepProps) {
  const id = useId();
  const update = useModuleUpdate(module.id);
  const { language, content } = module.value;
  const live = useLiveSchema(workspaceId, language, content);
  const canonical = canonicalLanguage(language);
  const known = LANGUAGES.some((l) => l.id === canonical);
  const setValue = (field: string, patch: Partial<RawScriptValue>) =>
    update(field, (m) => ({ ...m, value: { ...m.value, ...patch } }) as FlowModule);
  usePruneInputs(module, live.problem === null ? live.inferred : null, update);

  return (
    <>
      <section className="flow-panel-section" aria-label="Code">
        <div className="field">
          <label htmlFor={`${id}-language`}>Language</label>
          <select
            id={`${id}-language`}
            value={known ? canonical : language}
            onChange={(event) => {
              const next = event.target.value;
              // Untouched template code follows the language; written code is kept.
              const template = isTemplate(content) ? languageInfo(next)?.template : undefined;
              setValue("language", template === undefined ? { language: next } : { language: next, content: template });
            }}
          >
            {!known && <option value={language}>{language}</option>}
            {LANGUAGES.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <div className="flow-step-code" data-testid="step-code">
          <LazyCodeEditor
            // The editor reads its label once and keeps its own history: a new step gets a new one.
            key={module.id}
            value={content}
            language={language}
            label={`Code of ${module.id}`}
            problem={live.problem}
            onChange={(next) => setValue("content", { content: next })}
          />
        </div>
        {live.problem && (
          <p className="code-problem" data-testid="code-problem">
            {live.problem.line !== null && <strong>Line {live.problem.line}: </strong>}
            {live.problem.message}
          </p>
        )}
        <StepTest workspaceId={workspaceId} stepId={module.id} value={module.value} />
      </section>
      <InputsSection module={module} schema={live.inferred} suggestions={suggestions} flowInputs={flowInputs} />
    </>
  );
}

/**
 * When the user's edit removes a parameter from the code, its input goes too (in the same undo
 * step as the typing): a step must not send `main` an argument it no longer takes. Only after an
 * edit made here, so opening a step never changes a flow by itself.
 */
function usePruneInputs(
  module: FlowModule & { value: RawScriptValue },
  inferred: ReturnType<typeof useLiveSchema>["inferred"],
  update: ReturnType<typeof useModuleUpdate>,
) {
  const seen = useRef(module.value.content);
  const edited = seen.current !== module.value.content;
  useEffect(() => {
    if (!edited || inferred === null) return;
    const declared = new Set(properties(resolveField(inferred).schema).map((p) => p.name));
    const transforms = module.value.input_transforms ?? {};
    if (Object.keys(transforms).every((name) => declared.has(name))) return;
    update("content", (m) => {
      const value = m.value as RawScriptValue;
      const kept = Object.entries(value.input_transforms ?? {}).filter(([name]) => declared.has(name));
      return { ...m, value: { ...value, input_transforms: Object.fromEntries(kept) } } as FlowModule;
    });
  }, [edited, inferred, module.value.input_transforms, update]);
}
