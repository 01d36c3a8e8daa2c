import { ApiError } from "../api/client";

interface ErrorMessageProps {
  error: Error;
  onRetry?: () => void;
}

/** Shows an API error's `message` (and status) with an optional retry. */
export function ErrorMessage({ error, onRetry }: ErrorMessageProps) {
  const status = error instanceof ApiError && error.status > 0 ? error.status : null;
  return (
    <div className="error-box" role="alert">
      <div>
        <strong>{error.message}</strong>
        {status !== null && <span className="error-status">HTTP {status}</span>}
      </div>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
