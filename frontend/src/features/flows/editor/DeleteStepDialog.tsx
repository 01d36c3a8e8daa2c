import { Dialog } from "../../../components/Dialog";
import { EARLY_RETURN_REF } from "../model/edits";

interface DeleteStepDialogProps {
  id: string;
  /** Steps whose expressions name `results.<id>`: they would fail validation once it is gone. */
  dependents: readonly string[];
  onConfirm: () => void;
  onClose: () => void;
}

export function DeleteStepDialog({ id, dependents, onConfirm, onClose }: DeleteStepDialogProps) {
  return (
    <Dialog title={`Delete step ${id}?`} onClose={onClose}>
      {dependents.length > 0 ? (
        <>
          <p>Its result is used by:</p>
          <ul data-testid="step-dependents">
            {dependents.map((d) => (
              <li key={d}>
                {d === EARLY_RETURN_REF ? "the flow's early return" : <span className="mono">{d}</span>}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">No other step uses its result.</p>
      )}
      <p className="muted">Steps inside it are deleted too. Undo brings it back.</p>
      <div className="form-actions">
        <button type="button" className="button button-danger" onClick={onConfirm}>
          Delete
        </button>
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
