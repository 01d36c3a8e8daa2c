import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { formatJson } from "../../lib/format";
import { jobUrl } from "../jobs/links";
import { useRunScript } from "../jobs/queries";
import { schemaDefaults } from "./schemaArgs";

interface RunSectionProps {
  workspaceId: string;
  scriptPath: string;
  schema: unknown;
}

type Parsed = { ok: true; args: Record<string, unknown> } | { ok: false; message: string };

function parseArgs(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (error) {
    return { ok: false, message: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "The arguments must be a JSON object, e.g. {\"name\": \"world\"}" };
  }
  return { ok: true, args: value as Record<string, unknown> };
}

/**
 * Runs the script's latest version with arguments typed as JSON and opens the
 * new job. A stopgap until the arguments form is generated from the schema.
 */
export function RunSection({ workspaceId, scriptPath, schema }: RunSectionProps) {
  const [text, setText] = useState(() => formatJson(schemaDefaults(schema)));
  const [invalid, setInvalid] = useState<string | null>(null);
  const run = useRunScript(workspaceId);
  const navigate = useNavigate();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseArgs(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    run.mutate(
      { path: scriptPath, args: parsed.args },
      { onSuccess: ({ id }) => void navigate(jobUrl(workspaceId, id)) },
    );
  }

  const error = invalid ?? (run.isError ? run.error.message : null);

  return (
    <form className="run-form" onSubmit={onSubmit} aria-label="Run script">
      <div className="field">
        <label htmlFor="run-args">Arguments (JSON)</label>
        <textarea
          id="run-args"
          className="mono"
          rows={Math.min(12, Math.max(3, text.split("\n").length))}
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setInvalid(null);
            if (run.isError) run.reset();
          }}
        />
      </div>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button className="button button-primary" type="submit" disabled={run.isPending}>
        Run
      </button>
    </form>
  );
}
