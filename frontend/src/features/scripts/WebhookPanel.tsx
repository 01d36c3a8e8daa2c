import { useState, type FormEvent, type ReactNode } from "react";
import type { Script, Webhook } from "../../api/client";
import { CopyButton } from "../../components/CopyButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { WebhookTokens } from "../settings/WebhookTokens";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { useSaveScriptWebhook, useScriptWebhook } from "./queries";
import {
  curlCommand,
  DEFAULT_HEADERS,
  DEFAULT_TOLERANCE_S,
  draftFromWebhook,
  exampleArgs,
  SCHEMES,
  webhookErrorField,
  webhookFromDraft,
  type WebhookDraft,
  type WebhookField,
} from "./webhookForm";

/**
 * The script's Webhook tab: the URLs that run it and how third parties call them
 * (a signing secret, the raw request), saved with `PUT …/scripts/webhook/p/{path}`;
 * curl examples to copy, and webhook tokens for this path created in place.
 */
export function WebhookPanel({ script }: { script: Script }) {
  const workspace = useCurrentWorkspace();
  const webhook = useScriptWebhook(workspace.id, script.path);
  // Changing it needs write access to the path, and a role that writes scripts.
  const canEdit = (script.access === "write" || script.access === "owner") && workspace.role !== "operator";
  // A token created here, shown once and filled into the curl examples until dismissed.
  const [secret, setSecret] = useState<string | null>(null);

  if (webhook.isPending) return <Loading label="Loading webhook…" />;
  if (webhook.isError) return <ErrorMessage error={webhook.error} onRetry={() => void webhook.refetch()} />;
  return (
    <div className="settings-form">
      <WebhookUrls webhook={webhook.data} schema={script.schema} token={secret ?? undefined} />
      <WebhookTokens
        workspaceId={workspace.id}
        path={script.path}
        canManage={workspace.role !== "operator"}
        secret={secret}
        onSecret={setSecret}
      />
      <WebhookForm workspaceId={workspace.id} webhook={webhook.data} readOnly={!canEdit} />
    </div>
  );
}

interface WebhookUrlsProps {
  webhook: Webhook;
  /** The script's argument schema, for the example body. */
  schema: unknown;
  /** A just-created secret to put in the examples instead of $KILN_TOKEN. */
  token?: string;
}

function WebhookUrls({ webhook, schema, token }: WebhookUrlsProps) {
  const origin = window.location.origin;
  // A raw-request script takes any body; the schema's arguments are still a fair example.
  const args = exampleArgs(schema);
  const examples = [
    { kind: "async", title: "Asynchronous", url: origin + (webhook.urls.async ?? "") },
    { kind: "sync", title: "Synchronous", url: origin + (webhook.urls.sync ?? "") },
  ];
  return (
    <section className="settings-section" aria-label="Webhook URLs">
      <h3 className="subheading">URLs</h3>
      <dl className="webhook-urls">
        <dt>Asynchronous: answers with the job's id</dt>
        <dd>
          <code data-testid="webhook-url-async">{origin + (webhook.urls.async ?? "")}</code>
        </dd>
        <dt>Synchronous: waits for the job's result</dt>
        <dd>
          <code data-testid="webhook-url-sync">{origin + (webhook.urls.sync ?? "")}</code>
        </dd>
      </dl>
      <p className="muted settings-help">
        POST the arguments as JSON with a webhook token in <code>Authorization: Bearer &lt;token&gt;</code>. Third-party
        senders that cannot set headers may put the token in the URL instead: <code>?token=&lt;token&gt;</code>.
      </p>
      <h3 className="subheading">Try it with curl</h3>
      {token === undefined && (
        <p className="muted settings-help">
          Set <code>KILN_TOKEN</code> to a webhook token first (<code>export KILN_TOKEN=…</code>), or create one below.
        </p>
      )}
      {webhook.signature !== null && (
        <p className="muted settings-help">Signed webhooks are refused without their signature header: add it to try.</p>
      )}
      {examples.map(({ kind, title, url }) => {
        const command = curlCommand(url, args, token);
        return (
          <div key={kind} className="curl-example">
            <div className="curl-example-header">
              <span className="field-hint">{title}</span>
              <CopyButton text={command} label={`Copy the ${title.toLowerCase()} curl command`} />
            </div>
            <pre className="code code-wrap" data-testid={`webhook-curl-${kind}`}>
              <code>{command}</code>
            </pre>
          </div>
        );
      })}
    </section>
  );
}

function FieldError({ field, at, message }: { field: WebhookField; at: WebhookField; message: string | undefined }) {
  return message !== undefined && field === at ? (
    <p className="field-error" role="alert" id={`webhook-${at}-error`}>
      {message}
    </p>
  ) : null;
}

interface WebhookFieldProps {
  id: string;
  label: string;
  unit?: string;
  /** Takes two columns of the grid. */
  wide?: boolean;
  hint?: ReactNode;
  children: ReactNode;
  error: ReactNode;
}

function WebhookInput({ id, label, unit, wide = false, hint, children, error }: WebhookFieldProps) {
  return (
    <div className={wide ? "field setting setting-wide" : "field setting"}>
      <label htmlFor={id}>{label}</label>
      <div className="input-unit">
        {children}
        <span className="unit">{unit}</span>
      </div>
      {hint && <div className="field-hint">{hint}</div>}
      {error}
    </div>
  );
}

interface WebhookFormProps {
  workspaceId: string;
  webhook: Webhook;
  readOnly: boolean;
}

function WebhookForm({ workspaceId, webhook, readOnly }: WebhookFormProps) {
  const save = useSaveScriptWebhook(workspaceId, webhook.path);
  const [draft, setDraft] = useState<WebhookDraft>(() => draftFromWebhook(webhook));
  const [saved, setSaved] = useState(false);
  const errorAt = webhookErrorField(save.error);
  const message = save.error?.message;
  const scheme = draft.scheme === "none" ? null : draft.scheme;
  const describedBy = (field: WebhookField) => (errorAt === field ? `webhook-${field}-error` : undefined);

  function edit(change: Partial<WebhookDraft>) {
    setDraft((d) => ({ ...d, ...change }));
    setSaved(false);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(webhookFromDraft(draft), {
      onSuccess: (stored) => {
        setDraft(draftFromWebhook(stored));
        setSaved(true);
      },
    });
  }

  function revert() {
    setDraft(draftFromWebhook(webhook));
    save.reset();
    setSaved(false);
  }

  return (
    <form aria-label="Webhook settings" onSubmit={onSubmit} noValidate>
      {readOnly && (
        <p className="muted" data-testid="webhook-read-only">
          You can see how this script takes webhooks; changing it needs write access to its path.
        </p>
      )}
      <fieldset disabled={readOnly} className="settings-fieldset">
        <section className="settings-section">
          <h3 className="subheading">Request</h3>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.raw_request}
              onChange={(e) => edit({ raw_request: e.target.checked })}
              aria-describedby={["webhook-raw-hint", describedBy("raw_request")].filter(Boolean).join(" ")}
            />
            Receive the raw request
          </label>
          <p className="muted settings-help" id="webhook-raw-hint">
            <code>main(request)</code> gets the HTTP request itself (method, path, headers, query, body) instead of
            arguments read from a JSON body. Credentials are never passed in.
          </p>
          <FieldError field={errorAt} at="raw_request" message={message} />
        </section>

        <section className="settings-section">
          <h3 className="subheading">Signature</h3>
          <p className="muted settings-help">
            With a signature, every run request must be signed with the secret over its exact body, on top of its
            token. None turns the check off and forgets the secret.
          </p>
          <div className="settings-grid">
            <WebhookInput id="webhook-scheme" label="Signature" error={null}>
              <select
                id="webhook-scheme"
                value={draft.scheme}
                onChange={(e) => edit({ scheme: e.target.value as WebhookDraft["scheme"] })}
              >
                {SCHEMES.map(({ value, label }) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </WebhookInput>
            {scheme !== null && (
              <>
                <WebhookInput
                  id="webhook-secret"
                  label="Secret"
                  hint={webhook.has_secret ? "Empty: keep the current secret" : "8 characters or more"}
                  error={<FieldError field={errorAt} at="secret" message={message} />}
                >
                  <input
                    id="webhook-secret"
                    type="password"
                    autoComplete="new-password"
                    placeholder={webhook.has_secret ? "unchanged" : "required"}
                    value={draft.secret}
                    aria-invalid={errorAt === "secret"}
                    aria-describedby={describedBy("secret")}
                    onChange={(e) => edit({ secret: e.target.value })}
                  />
                </WebhookInput>
                <WebhookInput
                  id="webhook-header"
                  label="Header"
                  wide
                  hint="Empty: the scheme's usual header"
                  error={<FieldError field={errorAt} at="header" message={message} />}
                >
                  <input
                    id="webhook-header"
                    className="mono"
                    placeholder={DEFAULT_HEADERS[scheme]}
                    value={draft.header}
                    aria-invalid={errorAt === "header"}
                    aria-describedby={describedBy("header")}
                    onChange={(e) => edit({ header: e.target.value })}
                  />
                </WebhookInput>
              </>
            )}
            {scheme === "stripe" && (
              <WebhookInput
                id="webhook-tolerance"
                label="Tolerance"
                unit="s"
                hint="How old a signed time may be"
                error={<FieldError field={errorAt} at="tolerance_s" message={message} />}
              >
                <input
                  id="webhook-tolerance"
                  type="number"
                  min={10}
                  max={86400}
                  placeholder={String(DEFAULT_TOLERANCE_S)}
                  value={draft.tolerance_s}
                  aria-invalid={errorAt === "tolerance_s"}
                  aria-describedby={describedBy("tolerance_s")}
                  onChange={(e) => edit({ tolerance_s: e.target.value })}
                />
              </WebhookInput>
            )}
          </div>
        </section>

        {save.isError && errorAt === "" && (
          <p className="form-error" role="alert">
            {message}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save webhook"}
          </button>
          <button type="button" className="button" onClick={revert} disabled={save.isPending}>
            Revert
          </button>
          {saved && (
            <span className="form-ok" role="status">
              Saved.
            </span>
          )}
          {save.isError && errorAt !== "" && (
            <span className="form-error-inline" role="status">
              Not saved: see the message above.
            </span>
          )}
        </div>
      </fieldset>
    </form>
  );
}
