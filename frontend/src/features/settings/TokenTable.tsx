import { RelativeTime } from "../../components/RelativeTime";
import { formatDateTime } from "../../lib/format";
import { tokenState } from "./tokenForm";

interface TokenRow {
  id: number;
  label: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  /** Webhook tokens: whose rights its runs get. */
  created_by?: string;
}

interface TokenTableProps {
  caption: string;
  tokens: readonly TokenRow[];
  /** Shows a "Created by" column (webhook tokens run as their creator). */
  showCreator?: boolean;
  /** Absent: nobody may revoke here. */
  onRevoke?: (token: TokenRow) => void;
  revokingId?: number | null;
  testId?: string;
}

/** Tokens with their prefix (never the secret), dates and a Revoke button for live ones. */
export function TokenTable({ caption, tokens, showCreator = false, onRevoke, revokingId, testId }: TokenTableProps) {
  return (
    <table className="table token-table" data-testid={testId}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Prefix</th>
          {showCreator && <th scope="col">Created by</th>}
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Expires</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => {
          const state = tokenState(token);
          return (
            <tr key={token.id} className={state === "active" ? undefined : "token-dead"}>
              <td>{token.label}</td>
              <td>
                <code>{token.prefix}…</code>
              </td>
              {showCreator && <td>{token.created_by ?? ""}</td>}
              <td className="nowrap">
                <RelativeTime iso={token.created_at} />
              </td>
              <td className="nowrap">
                {token.last_used_at ? <RelativeTime iso={token.last_used_at} /> : <span className="muted">never</span>}
              </td>
              <td className="nowrap">
                {token.expires_at ? formatDateTime(token.expires_at) : <span className="muted">never</span>}
              </td>
              <td className="cell-actions">
                {state !== "active" ? (
                  <span className="tag tag-off">{state}</span>
                ) : onRevoke ? (
                  <button
                    type="button"
                    className="button button-small button-danger"
                    onClick={() => onRevoke(token)}
                    disabled={revokingId === token.id}
                    aria-label={`Revoke ${token.label}`}
                  >
                    {revokingId === token.id ? "Revoking…" : "Revoke"}
                  </button>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
