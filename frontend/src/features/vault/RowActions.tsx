/** Edit and Delete for one row of a vault table (variables, resources, resource types):
 * shown only to those who may write it; a failed delete says why under the buttons. */
interface RowActionsProps {
  name: string;
  canEdit: boolean;
  onEdit: () => void;
  onDelete: () => void;
  deleting: boolean;
  error: Error | null;
}

export function RowActions({ name, canEdit, onEdit, onDelete, deleting, error }: RowActionsProps) {
  return (
    <td className="cell-actions">
      {canEdit && (
        <>
          <button type="button" className="button button-small" aria-label={`Edit ${name}`} onClick={onEdit}>
            Edit
          </button>{" "}
          <button
            type="button"
            className="button button-small button-danger"
            aria-label={`Delete ${name}`}
            disabled={deleting}
            onClick={onDelete}
          >
            {deleting ? "Deleting…" : "Delete"}
          </button>
        </>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
    </td>
  );
}
