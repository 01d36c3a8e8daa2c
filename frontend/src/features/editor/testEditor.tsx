/**
 * A stand-in for CodeEditor in jsdom tests (vi.mock("./CodeEditor", () => import("./testEditor"))):
 * a textarea with the same props, Ctrl/Cmd+Enter included, and the problem shown as
 * an attribute so tests can check the line a diagnostic would mark.
 */
import type { CodeEditorProps } from "./codeEditorProps";

export function CodeEditor({ value, onChange, problem, onRun, label }: CodeEditorProps) {
  return (
    <textarea
      aria-label={label}
      value={value}
      data-problem-line={problem?.line ?? undefined}
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && onRun) {
          event.preventDefault();
          event.stopPropagation();
          onRun();
        }
      }}
    />
  );
}
