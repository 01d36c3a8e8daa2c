import { useId, useState, type ChangeEvent } from "react";
import { Dialog } from "../../../components/Dialog";
import { fromYaml } from "../model/yamlText";
import type { FlowDocument } from "../model/types";

interface ImportDialogProps {
  onImport: (doc: FlowDocument) => void;
  onClose: () => void;
}

/** A YAML or JSON document (a file, or pasted) read into the editor as unsaved changes. */
export function ImportDialog({ onImport, onClose }: ImportDialogProps) {
  const id = useId();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);

  function load(content: string) {
    const parsed = fromYaml(content);
    if ("error" in parsed) {
      const { message, line } = parsed.error;
      setError(line !== undefined ? `Line ${line}: ${message}` : message);
      return;
    }
    onImport(parsed.doc);
  }

  function pickFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file === undefined) return;
    void file.text().then((content) => {
      setText(content);
      load(content);
    });
  }

  return (
    <Dialog title="Import a flow" onClose={onClose} className="flow-import-dialog">
      <p className="muted">
        A Kiln or Windmill flow document (<code>flow.yaml</code>, or JSON). It replaces what is in the editor; deploy
        to keep it (Undo brings the previous document back).
      </p>
      <div className="field">
        <label htmlFor={`${id}-file`}>File</label>
        <input id={`${id}-file`} type="file" accept=".yaml,.yml,.json" onChange={pickFile} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>Or paste the document</label>
        <textarea
          id={`${id}-text`}
          className="mono"
          rows={12}
          spellCheck={false}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setError(null);
          }}
        />
      </div>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={() => load(text)} disabled={text.trim() === ""}>
          Load into the editor
        </button>
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
