import { CopyButton } from "./CopyButton";

interface SecretOnceProps {
  /** What the secret is, e.g. "API token “laptop”". */
  title: string;
  secret: string;
  /** Who could misuse it. */
  warning?: string;
  onDone: () => void;
}

/** A freshly created secret: shown this once (the server keeps only its hash), with Copy and a warning. */
export function SecretOnce({ title, secret, warning = "Anyone with it can act as you.", onDone }: SecretOnceProps) {
  return (
    <div className="secret-once" role="region" aria-label="New secret">
      <p className="secret-once-title">
        <strong>{title}</strong>
      </p>
      <p className="secret-once-warning">Copy it now: it will not be shown again. {warning}</p>
      <div className="secret-once-value">
        <code data-testid="new-secret">{secret}</code>
        <CopyButton text={secret} label="Copy the secret" />
      </div>
      <button type="button" className="button button-small" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}
