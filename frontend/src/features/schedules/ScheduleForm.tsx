import { useState, type FormEvent } from "react";
import type { ScheduleInput } from "../../api/client";
import { useFlows } from "../jobs/flow/queries";
import { useScripts } from "../scripts/queries";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { bodyFromDraft, scheduleErrors, type FormErrors, type ScheduleDraft } from "./scheduleForm";
import { HandlersSection, SCRIPTS_LIST, TicksSection, WhatSection, WhenSection } from "./ScheduleFormSections";

interface ScheduleFormProps {
  /** The form's first content: an empty draft, or the schedule being edited. */
  initial: ScheduleDraft;
  /** Editing: the path is the schedule's and does not change. */
  fixedPath?: boolean;
  label: string;
  submitLabel: string;
  saving: boolean;
  /** The API's refusal of the last save, if any: shown at the field it names. */
  saveError: Error | null;
  onSave: (body: ScheduleInput) => void;
  onCancel: () => void;
}

/**
 * A whole schedule, for `POST …/schedules` or `PUT …/schedules/p/{path}`. JSON that does
 * not parse is reported before anything is sent; the API's refusal shows at the field it
 * names, else above the buttons, and what was typed stays.
 */
export function ScheduleForm(props: ScheduleFormProps) {
  const { initial, fixedPath = false, label, submitLabel, saving, saveError, onSave, onCancel } = props;
  const workspace = useCurrentWorkspace();
  const scripts = useScripts(workspace.id, { fresh: true });
  const [draft, setDraft] = useState(initial);
  const flows = useFlows(workspace.id, { enabled: draft.is_flow });
  const [localErrors, setLocalErrors] = useState<FormErrors>({});
  const errors = { ...scheduleErrors(saveError), ...localErrors };
  const scriptPaths = scripts.data?.map((s) => s.path) ?? null;
  const flowPaths = flows.data?.map((f) => f.path) ?? null;
  const placed = Object.keys(errors).filter((key) => key !== "");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = bodyFromDraft(draft);
    if (!result.ok) {
      setLocalErrors(result.errors);
      return;
    }
    setLocalErrors({});
    onSave(result.body);
  }

  const section = { draft, edit: setDraft, errors };
  return (
    <form className="settings-form schedule-form" aria-label={label} onSubmit={submit} noValidate>
      <WhatSection {...section} fixedPath={fixedPath} targets={draft.is_flow ? flowPaths : scriptPaths} />
      <WhenSection {...section} workspaceId={workspace.id} />
      <TicksSection {...section} />
      <HandlersSection {...section} />
      <datalist id={SCRIPTS_LIST}>
        {(scriptPaths ?? []).map((path) => (
          <option key={path} value={path} />
        ))}
      </datalist>
      {scripts.isError && (
        <p className="form-error" role="alert">
          Scripts could not be listed: {scripts.error.message}
        </p>
      )}
      {draft.is_flow && flows.isError && (
        <p className="form-error" role="alert">
          Flows could not be listed: {flows.error.message}
        </p>
      )}
      {errors[""] && (
        <p className="form-error" role="alert" data-testid="schedule-form-error">
          {errors[""]}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? "Saving…" : submitLabel}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        {placed.length > 0 && !errors[""] && (
          <span className="form-error-inline" role="status">
            Not saved: see the message{placed.length === 1 ? "" : "s"} above.
          </span>
        )}
      </div>
    </form>
  );
}
