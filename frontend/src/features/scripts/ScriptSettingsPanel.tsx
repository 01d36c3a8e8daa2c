import { useState, type FormEvent, type ReactNode } from "react";
import type { Script } from "../../api/client";
import { formatLimit, LIMIT_NAMES, LIMITS } from "../../lib/limits";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { useWorkspaceSettings } from "../workspace/queries";
import { useSaveScriptSettings } from "./queries";
import {
  draftFromSettings,
  EXPONENTIAL_DEFAULTS,
  settingsErrors,
  settingsFromDraft,
  type SettingsDraft,
  type SettingsErrors,
} from "./settingsForm";

function inputId(key: string): string {
  return `setting-${key.replace(/\./g, "-")}`;
}

interface FieldProps {
  /** The API's name of the field (`limits.memory_mb`): its id and where its errors go. */
  name: string;
  label: string;
  unit?: string;
  hint?: ReactNode;
  /** Takes two columns of the grid (a select with long options). */
  wide?: boolean;
  errors: SettingsErrors;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}

/** A label, the input, its unit, a hint and the API's error about it. */
function Field({ name, label, unit, hint, wide = false, errors, children }: FieldProps) {
  const id = inputId(name);
  const error = errors[name];
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={["field", "setting", error ? "setting-invalid" : "", wide ? "setting-wide" : ""].filter(Boolean).join(" ")}>
      <label htmlFor={id}>{label}</label>
      <div className="input-unit">
        {children({ id, "aria-invalid": Boolean(error), "aria-describedby": described || undefined })}
        {/* Always there, so that inputs line up whether or not they have a unit. */}
        <span className="unit">{unit}</span>
      </div>
      {hint && (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <p className="field-error" role="alert" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function GroupError({ name, errors }: { name: string; errors: SettingsErrors }) {
  const error = errors[name];
  return error ? (
    <p className="form-error" role="alert" data-testid={`settings-error-${name}`}>
      {error}
    </p>
  ) : null;
}

/**
 * The script's Settings tab: how its jobs run (network, limits, retries, tag,
 * priority, concurrency), saved as a whole with `PUT …/scripts/settings/p/{path}`.
 * A refusal shows the API's message at the field it names and keeps what was typed.
 */
export function ScriptSettingsPanel({ script }: { script: Script }) {
  const workspace = useCurrentWorkspace();
  const workspaceSettings = useWorkspaceSettings(workspace.id);
  const save = useSaveScriptSettings(workspace.id, script.path);
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFromSettings(script.settings));
  const [saved, setSaved] = useState(false);
  const operator = workspace.role === "operator";
  // Scripts under a folder shared with you as viewer: you see and run them, nothing more.
  const readOnly = operator || script.access === "view";
  const errors = settingsErrors(save.error);
  const maxima = workspaceSettings.data?.effective_max_limits;
  const defaults = workspaceSettings.data?.default_limits;
  const defaultNetwork = workspaceSettings.data?.settings.default_network;

  function edit(change: (draft: SettingsDraft) => SettingsDraft) {
    setDraft(change);
    setSaved(false);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(settingsFromDraft(draft), {
      onSuccess: (stored) => {
        setDraft(draftFromSettings(stored));
        setSaved(true);
      },
    });
  }

  function revert() {
    setDraft(draftFromSettings(script.settings));
    save.reset();
    setSaved(false);
  }

  /** The render function of a number field (the Field passes id and aria attributes). */
  const numberInput =
    (value: string, onChange: (value: string) => void, extra: Record<string, unknown> = {}) =>
    (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => (
      <input {...props} {...extra} type="number" value={value} onChange={(e) => onChange(e.target.value)} />
    );

  const setLimit = (name: (typeof LIMIT_NAMES)[number]) => (value: string) =>
    edit((d) => ({ ...d, limits: { ...d.limits, [name]: value } }));
  const setConstant = (key: keyof SettingsDraft["constant"]) => (value: string) =>
    edit((d) => ({ ...d, constant: { ...d.constant, [key]: value } }));
  const setExponential = (key: keyof SettingsDraft["exponential"]) => (value: string) =>
    edit((d) => ({ ...d, exponential: { ...d.exponential, [key]: value } }));

  return (
    <form className="settings-form" aria-label="Script settings" onSubmit={onSubmit} noValidate>
      {readOnly && (
        <p className="muted" data-testid="settings-read-only">
          {operator
            ? "Operators can see these settings; admins and developers change them."
            : "You can see these settings; changing them needs write access to this script's path."}
        </p>
      )}
      <GroupError name="" errors={errors} />
      <fieldset disabled={readOnly} className="settings-fieldset">
        <section className="settings-section">
          <h3 className="subheading">Worker</h3>
          <div className="settings-grid">
            <Field name="tag" label="Tag" hint="Workers serving this tag run the jobs; empty: the language's tag" errors={errors}>
              {(props) => (
                <input
                  {...props}
                  className="mono"
                  placeholder={script.language}
                  value={draft.tag}
                  onChange={(e) => edit((d) => ({ ...d, tag: e.target.value }))}
                />
              )}
            </Field>
            <Field name="priority" label="Priority" hint="0-100; higher runs first within a tag" errors={errors}>
              {numberInput(draft.priority, (v) => edit((d) => ({ ...d, priority: v })), {
                min: 0,
                max: 100,
                placeholder: "0",
              })}
            </Field>
            <Field name="network" label="Network" wide errors={errors}>
              {(props) => (
                <select
                  {...props}
                  value={draft.network}
                  onChange={(e) => edit((d) => ({ ...d, network: e.target.value as SettingsDraft["network"] }))}
                >
                  <option value="">Workspace default{defaultNetwork ? ` (${defaultNetwork})` : ""}</option>
                  <option value="none">None: no network access</option>
                  <option value="internet">Internet: outbound only</option>
                </select>
              )}
            </Field>
          </div>
          {script.language === "python3" && (
            <>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.warm}
                  onChange={(e) => edit((d) => ({ ...d, warm: e.target.checked }))}
                  aria-describedby="settings-warm-hint"
                />
                Keep warm runners
              </label>
              <p className="muted settings-help" id="settings-warm-hint">
                Each worker keeps a sandbox of the latest version started, with its imports loaded: a job starts in
                about a millisecond instead of tens. Every job still runs in a clean copy, with the same limits.
              </p>
              <GroupError name="warm" errors={errors} />
            </>
          )}
        </section>

        <section className="settings-section">
          <h3 className="subheading">Limits</h3>
          <p className="muted settings-help">Empty: the platform default. At most the workspace maximum.</p>
          <GroupError name="limits" errors={errors} />
          <div className="settings-grid">
            {LIMIT_NAMES.map((name) => {
              const info = LIMITS[name];
              const dflt = defaults?.[name];
              const max = maxima?.[name];
              const hint =
                dflt !== undefined || max !== undefined ? (
                  <>
                    {dflt !== undefined && <>Default {formatLimit(name, dflt)}</>}
                    {dflt !== undefined && max !== undefined && " · "}
                    {max !== undefined && <span data-testid={`max-${name}`}>max {formatLimit(name, max)}</span>}
                  </>
                ) : (
                  info.help
                );
              return (
                <Field key={name} name={`limits.${name}`} label={info.label} unit={info.unit} hint={hint} errors={errors}>
                  {numberInput(draft.limits[name], setLimit(name), {
                    min: 1,
                    max,
                    placeholder: dflt !== undefined ? String(dflt) : "",
                    title: info.help,
                  })}
                </Field>
              );
            })}
          </div>
        </section>

        <section className="settings-section">
          <h3 className="subheading">Retries</h3>
          <p className="muted settings-help">
            A failed job (an error, a timeout, a limit) is tried again: first the constant retries, then the
            exponential ones, whose n-th waits multiplier × baseⁿ seconds.
          </p>
          <GroupError name="retry" errors={errors} />
          <GroupError name="retry.constant" errors={errors} />
          <div className="settings-grid">
            <Field name="retry.constant.attempts" label="Constant retries" hint="Empty: none" errors={errors}>
              {numberInput(draft.constant.attempts, setConstant("attempts"), { min: 0, max: 100, placeholder: "0" })}
            </Field>
            <Field name="retry.constant.seconds" label="Delay" unit="s" hint="Before each constant retry" errors={errors}>
              {numberInput(draft.constant.seconds, setConstant("seconds"), { min: 0, step: "any", placeholder: "0" })}
            </Field>
          </div>
          <GroupError name="retry.exponential" errors={errors} />
          <div className="settings-grid">
            <Field name="retry.exponential.attempts" label="Exponential retries" hint="Empty: none" errors={errors}>
              {numberInput(draft.exponential.attempts, setExponential("attempts"), { min: 0, max: 100, placeholder: "0" })}
            </Field>
            <Field name="retry.exponential.multiplier" label="Multiplier" errors={errors}>
              {numberInput(draft.exponential.multiplier, setExponential("multiplier"), {
                min: 0,
                step: "any",
                placeholder: String(EXPONENTIAL_DEFAULTS.multiplier),
              })}
            </Field>
            <Field name="retry.exponential.seconds" label="Base" unit="s" errors={errors}>
              {numberInput(draft.exponential.seconds, setExponential("seconds"), {
                min: 0,
                step: "any",
                placeholder: String(EXPONENTIAL_DEFAULTS.seconds),
              })}
            </Field>
            <Field name="retry.exponential.random_factor" label="Jitter" unit="%" errors={errors}>
              {numberInput(draft.exponential.random_factor, setExponential("random_factor"), {
                min: 0,
                max: 100,
                placeholder: String(EXPONENTIAL_DEFAULTS.random_factor),
              })}
            </Field>
            <Field name="retry.exponential.max_seconds" label="Longest delay" unit="s" errors={errors}>
              {numberInput(draft.exponential.max_seconds, setExponential("max_seconds"), {
                min: 0,
                step: "any",
                placeholder: String(EXPONENTIAL_DEFAULTS.max_seconds),
              })}
            </Field>
          </div>
        </section>

        <section className="settings-section">
          <h3 className="subheading">Concurrency</h3>
          <GroupError name="concurrency" errors={errors} />
          <div className="settings-grid">
            <Field
              name="concurrency.limit"
              label="Concurrency limit"
              hint="Jobs running at once; empty: no limit"
              errors={errors}
            >
              {numberInput(
                draft.concurrency.limit,
                (v) => edit((d) => ({ ...d, concurrency: { ...d.concurrency, limit: v } })),
                { min: 1, placeholder: "no limit" },
              )}
            </Field>
            <Field
              name="concurrency.key"
              label="Concurrency key"
              hint={
                <>
                  Share the limit by key, e.g. <code>customer-$args[customer_id]</code>; empty: per script
                </>
              }
              errors={errors}
            >
              {(props) => (
                <input
                  {...props}
                  className="mono"
                  value={draft.concurrency.key}
                  onChange={(e) => edit((d) => ({ ...d, concurrency: { ...d.concurrency, key: e.target.value } }))}
                />
              )}
            </Field>
          </div>
        </section>

        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save settings"}
          </button>
          <button type="button" className="button" onClick={revert} disabled={save.isPending}>
            Revert
          </button>
          {saved && (
            <span className="form-ok" role="status">
              Saved. New jobs of this script use these settings.
            </span>
          )}
          {save.isError && Object.keys(errors).some((k) => k !== "") && (
            <span className="form-error-inline" role="status">
              Not saved: see the message above.
            </span>
          )}
        </div>
      </fieldset>
    </form>
  );
}
