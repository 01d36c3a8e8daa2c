import type { UseMutationResult } from "@tanstack/react-query";
import { useState } from "react";
import { useLocation, useNavigate } from "react-router";
import { Dialog } from "./Dialog";
import { ErrorMessage } from "./ErrorMessage";

interface ConfirmDeleteButtonProps {
  /** What is deleted, as the dialog's title names it: `f/ops/hello`. */
  path: string;
  /** The delete; its error (a 409 names what still uses the path) shows in the dialog, which stays open. */
  remove: UseMutationResult<void, Error, void>;
  /** The list a successful delete opens, where {@link DeletedNotice} says what went. */
  listUrl: string;
  /** What the user should know first: what stays, what must go before. */
  note?: string;
}

/** What a script or a flow leaves behind, and what must go before it. */
const RUNNABLE_NOTE = "Its past runs stay; schedules that run it must be removed first.";

/**
 * A Delete button that asks first, in a dialog with Cancel and Delete; a delete done opens
 * `listUrl`, which shows "Deleted <path>.". Offer it only to those who may write the item.
 */
export function ConfirmDeleteButton({ path, remove, listUrl, note = RUNNABLE_NOTE }: ConfirmDeleteButtonProps) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();

  function close(): void {
    // A delete on its way cannot be called back; the dialog waits for its answer.
    if (remove.isPending) return;
    setOpen(false);
    remove.reset();
  }

  return (
    <>
      <button type="button" className="button button-danger" onClick={() => setOpen(true)}>
        Delete
      </button>
      {open && (
        <Dialog title={`Delete ${path}?`} onClose={close}>
          <p>{note}</p>
          {remove.isError && <ErrorMessage error={remove.error} />}
          <div className="form-actions">
            <button
              type="button"
              className="button button-danger"
              disabled={remove.isPending}
              onClick={() =>
                remove.mutate(undefined, {
                  onSuccess: () => void navigate(listUrl, { state: deletedState(path) }),
                })
              }
            >
              {remove.isPending ? "Deleting…" : "Delete"}
            </button>
            <button type="button" className="button" onClick={close} disabled={remove.isPending}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

/** The navigation state a delete hands to the list page it opens. */
function deletedState(path: string): { deleted: string } {
  return { deleted: path };
}

/** "Deleted f/ops/hello.", on the list page a delete navigated to. */
export function DeletedNotice() {
  const state: unknown = useLocation().state;
  const deleted =
    typeof state === "object" && state !== null && "deleted" in state && typeof state.deleted === "string"
      ? state.deleted
      : null;
  if (deleted === null) return null;
  return (
    <p className="form-ok" role="status" data-testid="deleted-notice">
      Deleted <span className="mono">{deleted}</span>.
    </p>
  );
}
