import { lazy, Suspense } from "react";
import type { CodeEditorProps } from "./codeEditorProps";

// CodeMirror is most of the editor's weight: it loads on first use, in its own chunk.
const CodeEditor = lazy(() => import("./CodeEditor").then((module) => ({ default: module.CodeEditor })));

/** What shows while the editor's chunk loads: the code itself, read-only, so the page does not jump. */
function EditorSkeleton({ value }: { value: string }) {
  return (
    <div className="code-editor-skeleton" role="status" aria-label="Loading the editor…">
      <pre>{value}</pre>
    </div>
  );
}

export function LazyCodeEditor(props: CodeEditorProps) {
  return (
    <div className="code-editor" data-testid="code-editor">
      <Suspense fallback={<EditorSkeleton value={props.value} />}>
        <CodeEditor {...props} />
      </Suspense>
    </div>
  );
}
