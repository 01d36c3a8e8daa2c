import { useState } from "react";
import { LazyCodeEditor } from "../../editor/LazyCodeEditor";
import { useFlowEditor } from "../model/store";
import type { FlowDocument } from "../model/types";
import { fromYaml, toYaml } from "../model/yamlText";
import { sameFlow } from "./flowDraft";
import { useApply } from "./useEdit";

interface YamlError {
  message: string;
  line: number | null;
  column: number | null;
}

interface Shown {
  text: string;
  /** The document `text` stands for: the store's, or the last one parsed from the text. */
  doc: FlowDocument;
  error: YamlError | null;
}

function same(a: FlowDocument, b: FlowDocument): boolean {
  return a === b || sameFlow({ path: "", doc: a }, { path: "", doc: b });
}

/**
 * The whole document as YAML. Text that parses is applied to the store as it is typed (one
 * undo step per burst of typing), so the graph follows; a change from elsewhere (undo, the
 * graph) rewrites the text. While the text does not parse the store keeps the last good one.
 */
export function YamlView() {
  const doc = useFlowEditor((s) => s.doc);
  const apply = useApply();
  const [shown, setShown] = useState<Shown>(() => ({ text: toYaml(doc), doc, error: null }));
  // Compared by content: the store may copy what it is given, and re-printing the text
  // the user is typing would move their cursor.
  if (!same(doc, shown.doc)) setShown({ text: toYaml(doc), doc, error: null });

  const onChange = (text: string) => {
    const parsed = fromYaml(text);
    if ("error" in parsed) {
      const { message, line, column } = parsed.error;
      setShown({ text, doc: shown.doc, error: { message, line: line ?? null, column: column ?? null } });
      return;
    }
    setShown({ text, doc: parsed.doc, error: null });
    apply(() => parsed.doc, "yaml");
  };

  return (
    <div className="flow-yaml" data-testid="yaml-view">
      <div className="flow-yaml-editor">
        <LazyCodeEditor value={shown.text} language="yaml" label="Flow YAML" problem={shown.error} onChange={onChange} />
      </div>
      {shown.error && (
        <p className="code-problem" role="alert" data-testid="yaml-error">
          {shown.error.line !== null && <strong>Line {shown.error.line}: </strong>}
          {shown.error.message}
        </p>
      )}
    </div>
  );
}
