import { useId, type Dispatch } from "react";
import type { EditorDoc } from "./draft";
import type { EditorAction } from "./editorStore";
import { canonicalLanguage, LANGUAGES } from "./languages";

interface EditorFieldsProps {
  doc: EditorDoc;
  /** A saved script keeps its path (saving elsewhere would make another script). */
  pathLocked: boolean;
  dispatch: Dispatch<EditorAction>;
}

/** Path, language, summary and description: what the version is saved as, besides its code. */
export function EditorFields({ doc, pathLocked, dispatch }: EditorFieldsProps) {
  const id = useId();
  const language = canonicalLanguage(doc.language);
  const known = LANGUAGES.some((l) => l.id === language);
  return (
    <div className="editor-fields">
      <div className="field">
        <label htmlFor={`${id}-path`}>Path</label>
        <input
          id={`${id}-path`}
          type="text"
          className="mono"
          value={doc.path}
          readOnly={pathLocked}
          placeholder="u/you/hello"
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${id}-path-hint`}
          onChange={(e) => dispatch({ type: "path", path: e.target.value })}
        />
        <div className="field-hint" id={`${id}-path-hint`}>
          u/&lt;user&gt;/&lt;name&gt; or f/&lt;folder&gt;/&lt;name&gt;
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-language`}>Language</label>
        <select
          id={`${id}-language`}
          value={language}
          onChange={(e) => dispatch({ type: "language", language: e.target.value })}
        >
          {!known && <option value={language}>{language}</option>}
          {LANGUAGES.map((l) => (
            <option key={l.id} value={l.id}>
              {l.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field editor-summary">
        <label htmlFor={`${id}-summary`}>Summary</label>
        <input
          id={`${id}-summary`}
          type="text"
          value={doc.summary}
          placeholder="What the script does, in a line"
          onChange={(e) => dispatch({ type: "summary", summary: e.target.value })}
        />
      </div>
      <div className="field editor-description">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          rows={4}
          value={doc.description}
          aria-describedby={`${id}-description-hint`}
          onChange={(e) => dispatch({ type: "description", description: e.target.value })}
        />
        <div className="field-hint" id={`${id}-description-hint`}>
          Markdown: what the script is for, its inputs, what it returns
        </div>
      </div>
    </div>
  );
}
