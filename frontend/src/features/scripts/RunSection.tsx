import { useNavigate } from "react-router";
import { jobUrl } from "../jobs/links";
import { useRunScript } from "../jobs/queries";
import { ArgsForm } from "./ArgsForm";

interface RunSectionProps {
  workspaceId: string;
  scriptPath: string;
  schema: unknown;
}

/** Runs the script's latest version with arguments from the form (or JSON) and opens the new job. */
export function RunSection({ workspaceId, scriptPath, schema }: RunSectionProps) {
  const run = useRunScript(workspaceId);
  const navigate = useNavigate();

  return (
    <ArgsForm
      label="Run script"
      submitLabel="Run"
      schema={schema}
      pending={run.isPending}
      error={run.error}
      onEdit={() => {
        if (run.isError) run.reset();
      }}
      onSubmit={(args) =>
        run.mutate({ path: scriptPath, args }, { onSuccess: ({ id }) => void navigate(jobUrl(workspaceId, id)) })
      }
    />
  );
}
