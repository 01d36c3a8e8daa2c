/**
 * The CodeMirror 6 editor. Only LazyCodeEditor imports this module (through
 * React.lazy), so CodeMirror lands in its own chunk and pages that never edit
 * code do not download it.
 */
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput } from "@codemirror/language";
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { Annotation, Compartment, EditorState, Prec, type Text } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { CodeEditorProps, CodeProblem } from "./codeEditorProps";
import { loadLanguage } from "./codemirrorLanguages";
import { editorTheme } from "./editorTheme";

/** The problem as a diagnostic on the document: from its column to the end of its line. */
function diagnosticsOf(doc: Text, problem: CodeProblem | null | undefined): Diagnostic[] {
  if (!problem || problem.line === null) return [];
  const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
  const column = problem.column === null ? 0 : Math.min(Math.max(problem.column - 1, 0), line.length);
  const from = line.from + column;
  return [{ from, to: Math.max(from, line.to), severity: "error", message: problem.message, source: "kiln" }];
}

/** Marks a document replaced from outside (a restored draft, a template): the parent knows it already. */
const external = Annotation.define<boolean>();

export function CodeEditor({ value, language, onChange, problem, onRun, label }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const languageSlot = useRef(new Compartment());
  // Read at event time, so the view is built once and never sees stale callbacks.
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };
  const initial = useRef({ value, label });

  useEffect(() => {
    if (host.current === null) return;
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initial.current.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          lintGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          search({ top: true }),
          // Before the default keymap, whose Mod-Enter inserts a blank line.
          Prec.highest(
            keymap.of([
              {
                key: "Mod-Enter",
                run: () => {
                  callbacks.current.onRun?.();
                  return callbacks.current.onRun !== undefined;
                },
                stopPropagation: true,
              },
            ]),
          ),
          keymap.of([
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...searchKeymap,
            ...historyKeymap,
            ...foldKeymap,
            ...lintKeymap,
            indentWithTab,
          ]),
          languageSlot.current.of([]),
          editorTheme,
          EditorView.contentAttributes.of({ "aria-label": initial.current.label }),
          EditorView.updateListener.of((update) => {
            const outside = update.transactions.some((tr) => tr.annotation(external));
            if (update.docChanged && !outside) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, []);

  // A value from outside (a restored draft, another language's template): replace the
  // document. Typing cannot race this: CodeMirror's input events are discrete, so React
  // commits the echoed value and runs this effect before the next keystroke.
  useEffect(() => {
    const current = view.current;
    if (current === null || current.state.doc.toString() === value) return;
    current.dispatch({
      changes: { from: 0, to: current.state.doc.length, insert: value },
      annotations: external.of(true),
    });
  }, [value]);

  // The grammar arrives asynchronously; a language picked meanwhile wins.
  useEffect(() => {
    let current = true;
    void loadLanguage(language).then((support) => {
      if (current) view.current?.dispatch({ effects: languageSlot.current.reconfigure(support) });
    });
    return () => {
      current = false;
    };
  }, [language]);

  useEffect(() => {
    const current = view.current;
    if (current === null) return;
    current.dispatch(setDiagnostics(current.state, diagnosticsOf(current.state.doc, problem)));
  }, [problem]);

  return <div ref={host} className="code-editor-host" />;
}
