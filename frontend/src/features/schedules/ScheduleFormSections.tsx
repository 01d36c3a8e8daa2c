import { useMemo } from "react";
import { CronPreview } from "./CronPreview";
import { FormField, inputId, type InputProps } from "./FormField";
import {
  browserTimeZone,
  CATCH_UP,
  CATCH_UP_HELP,
  knownTimeZones,
  type CatchUp,
  type FormErrors,
  type ScheduleDraft,
} from "./scheduleForm";

/** The id of the datalist of script paths (the handlers' suggestions). */
export const SCRIPTS_LIST = "schedule-scripts";
const ZONES_LIST = "schedule-zones";

export type Edit = (change: (draft: ScheduleDraft) => ScheduleDraft) => void;

export interface SectionProps {
  draft: ScheduleDraft;
  edit: Edit;
  errors: FormErrors;
}

interface WhatProps extends SectionProps {
  fixedPath: boolean;
  /** The workspace's script paths (flow paths when the schedule runs a flow); null while they load. */
  targets: string[] | null;
}

const PATH_HINT = (
  <>
    Its own path: <code>u/&lt;you&gt;/…</code> or <code>f/&lt;folder&gt;/…</code>
  </>
);

/** Path, script or flow, arguments and summary. */
export function WhatSection({ draft, edit, errors, fixedPath, targets }: WhatProps) {
  // A schedule may point at a script missing from your list (gone, or not yours to see): keep it selectable.
  const listed = targets ?? [];
  const noun = draft.is_flow ? "flow" : "script";
  const kept = draft.script_path === "" || listed.includes(draft.script_path);
  const options = kept ? listed : [draft.script_path, ...listed];
  return (
    <section className="settings-section">
      <h3 className="subheading">What runs</h3>
      <div className="schedule-grid">
        <FormField
          name="path"
          label="Path"
          hint={fixedPath ? "A schedule's path does not change." : PATH_HINT}
          errors={errors}
        >
          {(props) => (
            <input
              {...props}
              className="mono"
              value={draft.path}
              readOnly={fixedPath}
              placeholder="u/you/nightly"
              onChange={(e) => edit((d) => ({ ...d, path: e.target.value }))}
            />
          )}
        </FormField>
        <FormField
          name="script_path"
          label="Script or flow path"
          hint="Its latest version runs at each tick"
          errors={errors}
        >
          {(props) => (
            <select
              {...props}
              value={draft.script_path}
              onChange={(e) => edit((d) => ({ ...d, script_path: e.target.value }))}
            >
              <option value="">{targets === null ? `Loading ${noun}s…` : `Choose a ${noun}…`}</option>
              {options.map((path) => (
                <option key={path} value={path}>
                  {path}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <label className="checkbox field-full">
          <input
            type="checkbox"
            checked={draft.is_flow}
            // The picker lists the other kind now: a path chosen from the old list no longer applies.
            onChange={(e) => {
              const isFlow = e.target.checked;
              edit((d) => ({ ...d, is_flow: isFlow, script_path: "" }));
            }}
          />
          Runs a flow
        </label>
        <FormField
          name="args"
          label="Arguments (JSON)"
          hint={`Checked against the ${noun}'s arguments when saved`}
          wide
          errors={errors}
        >
          {(props) => (
            <textarea
              {...props}
              className="mono"
              spellCheck={false}
              rows={Math.min(10, Math.max(3, draft.args.split("\n").length))}
              value={draft.args}
              onChange={(e) => edit((d) => ({ ...d, args: e.target.value }))}
            />
          )}
        </FormField>
        <FormField name="summary" label="Summary" wide errors={errors}>
          {(props) => (
            <input
              {...props}
              value={draft.summary}
              placeholder="What it is for"
              onChange={(e) => edit((d) => ({ ...d, summary: e.target.value }))}
            />
          )}
        </FormField>
      </div>
    </section>
  );
}

/** Cron with its live preview, time zone, pause. */
export function WhenSection({ draft, edit, errors, workspaceId }: SectionProps & { workspaceId: string }) {
  const zones = useMemo(knownTimeZones, []);
  const previewId = `${inputId("cron")}-preview`;
  const preview = (
    <CronPreview id={previewId} workspaceId={workspaceId} cron={draft.cron} timezone={draft.timezone} />
  );
  return (
    <section className="settings-section">
      <h3 className="subheading">When</h3>
      <div className="schedule-grid">
        <FormField name="cron" label="Cron" errors={errors} below={{ id: previewId, node: preview }}>
          {(props) => (
            <input
              {...props}
              className="mono"
              value={draft.cron}
              placeholder="0 30 2 * * *"
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => edit((d) => ({ ...d, cron: e.target.value }))}
            />
          )}
        </FormField>
        <div>
          <FormField
            name="timezone"
            label="Time zone"
            hint="Ticks follow its wall clock, daylight saving included"
            errors={errors}
          >
            {(props) => (
              <input
                {...props}
                list={zones.length > 0 ? ZONES_LIST : undefined}
                value={draft.timezone}
                placeholder="UTC"
                spellCheck={false}
                autoComplete="off"
                onChange={(e) => edit((d) => ({ ...d, timezone: e.target.value }))}
              />
            )}
          </FormField>
          <FormField
            name="paused_until"
            label="Paused until"
            hint={`No tick before it. In your time zone (${browserTimeZone()}); empty: not paused`}
            errors={errors}
          >
            {(props) => (
              <input
                {...props}
                type="datetime-local"
                step={1}
                value={draft.paused_until}
                onChange={(e) => edit((d) => ({ ...d, paused_until: e.target.value }))}
              />
            )}
          </FormField>
        </div>
      </div>
      {zones.length > 0 && (
        <datalist id={ZONES_LIST}>
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      )}
    </section>
  );
}

const RETRY_HINT = (
  <>
    Empty: the script's own retries. E.g. <code>{'{"constant": {"attempts": 2, "seconds": 10}}'}</code>
  </>
);

/** Catch-up after downtime, no_overlap, retries. */
export function TicksSection({ draft, edit, errors }: SectionProps) {
  return (
    <section className="settings-section">
      <h3 className="subheading">Missed and overlapping ticks</h3>
      <div className="schedule-grid">
        <FormField name="catch_up" label="Catch-up" hint="Ticks missed while every scheduler was down" errors={errors}>
          {(props) => (
            <select
              {...props}
              value={draft.catch_up}
              onChange={(e) => edit((d) => ({ ...d, catch_up: e.target.value as CatchUp }))}
            >
              {CATCH_UP.map((policy) => (
                <option key={policy} value={policy}>
                  {CATCH_UP_HELP[policy]}
                </option>
              ))}
            </select>
          )}
        </FormField>
        {draft.catch_up === "all" ? (
          <FormField
            name="catch_up_max"
            label="At most"
            hint="Missed ticks run (1-1000): the most recent"
            errors={errors}
          >
            {(props) => (
              <input
                {...props}
                type="number"
                min={1}
                max={1000}
                value={draft.catch_up_max}
                onChange={(e) => edit((d) => ({ ...d, catch_up_max: e.target.value }))}
              />
            )}
          </FormField>
        ) : (
          <div aria-hidden="true" />
        )}
        <label className="checkbox field-full">
          <input
            type="checkbox"
            checked={draft.no_overlap}
            onChange={(e) => edit((d) => ({ ...d, no_overlap: e.target.checked }))}
          />
          No overlap: skip (and record) a tick while the previous run is still going
        </label>
        <FormField
          name="retry"
          label="Retry (JSON)"
          hint={draft.is_flow ? "A flow retries per step (its modules' retry): leave empty" : RETRY_HINT}
          wide
          errors={errors}
        >
          {(props) => (
            <textarea
              {...props}
              className="mono"
              spellCheck={false}
              rows={Math.min(8, Math.max(2, draft.retry.split("\n").length))}
              value={draft.retry}
              onChange={(e) => edit((d) => ({ ...d, retry: e.target.value }))}
            />
          )}
        </FormField>
      </div>
    </section>
  );
}

type HandlerName = "on_failure" | "on_recovery" | "on_success";

/** The scripts run after this schedule's runs fail, recover or succeed. */
export function HandlersSection({ draft, edit, errors }: SectionProps) {
  const handlerInput = (name: HandlerName) => (props: InputProps) => (
    <input
      {...props}
      className="mono"
      list={SCRIPTS_LIST}
      value={draft[name].path}
      placeholder="none"
      autoComplete="off"
      onChange={(e) => edit((d) => ({ ...d, [name]: { ...d[name], path: e.target.value } }))}
    />
  );
  return (
    <section className="settings-section">
      <h3 className="subheading">Handlers</h3>
      <p className="muted settings-help">
        Scripts run after this schedule's runs; they receive the schedule, the job, its error or result.
      </p>
      <div className="schedule-grid">
        <FormField name="on_failure.path" label="On failure" hint="Runs once per streak of failures" errors={errors}>
          {handlerInput("on_failure")}
        </FormField>
        <FormField name="on_failure.times" label="After failures in a row" errors={errors}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={1}
              max={100}
              value={draft.on_failure.times}
              onChange={(e) => edit((d) => ({ ...d, on_failure: { ...d.on_failure, times: e.target.value } }))}
            />
          )}
        </FormField>
        <FormField
          name="on_recovery.path"
          label="On recovery"
          hint="The first success after on failure ran"
          errors={errors}
        >
          {handlerInput("on_recovery")}
        </FormField>
        <FormField name="on_success.path" label="On success" hint="After every successful run" errors={errors}>
          {handlerInput("on_success")}
        </FormField>
      </div>
    </section>
  );
}
