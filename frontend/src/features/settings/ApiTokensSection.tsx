import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SecretOnce } from "../../components/SecretOnce";
import { SkeletonTable } from "../../components/Skeleton";
import { CreateTokenForm } from "./CreateTokenForm";
import { useCreatePersonalToken, usePersonalTokens, useRevokePersonalToken } from "./queries";
import { TokenTable } from "./TokenTable";

/** Personal API tokens: for scripts, CI and curl; they act as you in every workspace. */
export function ApiTokensSection() {
  const tokens = usePersonalTokens();
  const create = useCreatePersonalToken();
  const revoke = useRevokePersonalToken();
  // The secret lives only in this state: once dismissed (or the page left) it is gone.
  const [created, setCreated] = useState<{ label: string; secret: string } | null>(null);

  function onRevoke(token: { id: number; label: string }) {
    if (!window.confirm(`Revoke the token “${token.label}”? Anything using it stops working at once.`)) return;
    revoke.mutate(token.id);
  }

  return (
    <section className="settings-section" aria-labelledby="api-tokens-title">
      <h2 id="api-tokens-title" className="subheading">
        API tokens
      </h2>
      <p className="muted settings-help">
        Send one as <code>Authorization: Bearer &lt;token&gt;</code> to call the API as yourself, from any workspace you
        belong to. The server keeps only a hash: a lost token cannot be shown again, only revoked.
      </p>
      <CreateTokenForm
        name="New API token"
        idPrefix="api-token"
        submitLabel="Create token"
        pending={create.isPending}
        error={create.error}
        onCreate={(input) =>
          create.mutateAsync(input).then((token) => setCreated({ label: token.label, secret: token.token }))
        }
      />
      {created && (
        <SecretOnce title={`API token “${created.label}”`} secret={created.secret} onDone={() => setCreated(null)} />
      )}
      {revoke.isError && <ErrorMessage error={revoke.error} />}
      {tokens.isPending ? (
        <SkeletonTable rows={3} columns={5} label="Loading API tokens…" />
      ) : tokens.isError ? (
        <ErrorMessage error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <p className="muted">You have no API tokens.</p>
      ) : (
        <TokenTable
          caption="Your API tokens"
          tokens={tokens.data}
          onRevoke={onRevoke}
          revokingId={revoke.isPending ? revoke.variables : null}
          testId="api-tokens"
        />
      )}
    </section>
  );
}
