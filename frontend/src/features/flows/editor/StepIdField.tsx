import { useState } from "react";
import { allModuleIds, renameModule } from "../model/edits";
import { useFlowEditor } from "../model/store";
import { TextField } from "./fields";
import { useApply } from "./useEdit";

const ID_PATTERN = /^[a-z_][a-z0-9_]*$/;

/** Why `next` cannot be the step's new id, or null. */
export function stepIdError(next: string, current: string, taken: readonly string[]): string | null {
  if (next === current) return null;
  if (!ID_PATTERN.test(next)) return "Lower-case letters, digits and _, not starting with a digit";
  if (next.length > 64) return "At most 64 characters";
  if (taken.includes(next)) return `Another step is already called ${next}`;
  return null;
}

/**
 * The id is typed freely and renamed once it is left (or on Enter): a rename rewrites every
 * `results.<id>` that names the step, which is one undo step, not one per keystroke.
 */
export function StepIdField({ id }: { id: string }) {
  const doc = useFlowEditor((s) => s.doc);
  const select = useFlowEditor((s) => s.select);
  const apply = useApply();
  const [draft, setDraft] = useState({ for: id, text: id });
  if (draft.for !== id) setDraft({ for: id, text: id });
  const text = draft.for === id ? draft.text : id;
  const error = stepIdError(text, id, allModuleIds(doc));

  const commit = () => {
    if (error !== null || text === id) return;
    apply((d) => renameModule(d, id, text));
    select(text);
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        commit();
      }}
    >
      <TextField
        label="Step id"
        mono
        value={text}
        error={error}
        onChange={(value) => setDraft({ for: id, text: value })}
        onBlur={commit}
      />
    </form>
  );
}
