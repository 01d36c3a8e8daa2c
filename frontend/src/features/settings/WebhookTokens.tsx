import { ErrorMessage } from "../../components/ErrorMessage";
import { SecretOnce } from "../../components/SecretOnce";
import { SkeletonTable } from "../../components/Skeleton";
import { CreateTokenForm } from "./CreateTokenForm";
import { useCreateWebhookToken, useRevokeWebhookToken, useWebhookTokens } from "./queries";
import { TokenTable } from "./TokenTable";

interface WebhookTokensProps {
  workspaceId: string;
  /** The one script path the tokens may run. */
  path: string;
  /** Operators may not create, list or revoke webhook tokens (the API answers 403). */
  canManage: boolean;
  /** The secret of the token just created here, or null. */
  secret: string | null;
  onSecret: (secret: string | null) => void;
}

/** Tokens that can run only this path, as their creator: create one in place, see and revoke the others. */
export function WebhookTokens({ workspaceId, path, canManage, secret, onSecret }: WebhookTokensProps) {
  const tokens = useWebhookTokens(workspaceId, { enabled: canManage });
  const create = useCreateWebhookToken(workspaceId);
  const revoke = useRevokeWebhookToken(workspaceId);
  const mine = tokens.data?.filter((token) => token.path === path) ?? [];

  function onRevoke(token: { id: number; label: string }) {
    if (!window.confirm(`Revoke the webhook token “${token.label}”? Callers using it are refused at once.`)) return;
    revoke.mutate(token.id);
  }

  return (
    <section className="settings-section" aria-labelledby="webhook-tokens-title">
      <h3 id="webhook-tokens-title" className="subheading">
        Webhook tokens
      </h3>
      {!canManage ? (
        <p className="muted settings-help" data-testid="webhook-tokens-operator">
          A webhook token runs only this script, with its creator&apos;s access. Admins and developers create them.
        </p>
      ) : (
        <>
          <p className="muted settings-help">
            A webhook token runs only <code>{path}</code>, with your access; give it to the sender instead of a
            personal token.
          </p>
          <CreateTokenForm
            name="New webhook token"
            idPrefix="webhook-token"
            submitLabel="Create a webhook token"
            pending={create.isPending}
            error={create.error}
            onCreate={(input) => create.mutateAsync({ ...input, path }).then((token) => onSecret(token.token))}
          />
          {secret !== null && (
            <SecretOnce
              title="New webhook token"
              secret={secret}
              warning="Anyone with it can run this script as you. The examples above now use it."
              onDone={() => onSecret(null)}
            />
          )}
          {revoke.isError && <ErrorMessage error={revoke.error} />}
          {tokens.isPending ? (
            <SkeletonTable rows={2} columns={5} label="Loading webhook tokens…" />
          ) : tokens.isError ? (
            <ErrorMessage error={tokens.error} onRetry={() => void tokens.refetch()} />
          ) : mine.length === 0 ? (
            <p className="muted">No webhook tokens for this script yet.</p>
          ) : (
            <TokenTable
              caption={`Webhook tokens for ${path}`}
              tokens={mine}
              showCreator
              onRevoke={onRevoke}
              revokingId={revoke.isPending ? revoke.variables : null}
              testId="webhook-tokens"
            />
          )}
        </>
      )}
    </section>
  );
}
