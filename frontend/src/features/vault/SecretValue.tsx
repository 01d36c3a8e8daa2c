import { CopyButton } from "../../components/CopyButton";
import { useRevealVariable } from "./queries";

/**
 * A secret's value: masked until Reveal reads it from the server (an audited read, made only
 * on that click), shown until Hide forgets it.
 */
export function SecretValue({ workspaceId, path }: { workspaceId: string; path: string }) {
  const reveal = useRevealVariable(workspaceId, path);

  if (reveal.isSuccess) {
    return (
      <div className="secret-value">
        <code className="vault-value" data-testid="revealed-secret">
          {reveal.data.value}
        </code>
        <span className="secret-actions">
          <button type="button" className="button button-small" aria-label={`Hide ${path}`} onClick={() => reveal.reset()}>
            Hide
          </button>
          <CopyButton text={reveal.data.value} label={`Copy the value of ${path}`} />
        </span>
      </div>
    );
  }
  return (
    <div className="secret-value">
      <span className="secret-mask" aria-label="Hidden secret value" role="img">
        •••••
      </span>
      <button
        type="button"
        className="button button-small"
        aria-label={`Reveal ${path}`}
        disabled={reveal.isPending}
        onClick={() => reveal.mutate()}
      >
        {reveal.isPending ? "Revealing…" : "Reveal"}
      </button>
      {reveal.isError && (
        <p className="field-error" role="alert">
          {reveal.error.message}
        </p>
      )}
    </div>
  );
}
