/**
 * The editor's colours, all CSS variables: the page's palette (--fg, --code-bg,
 * ...) for chrome, and --cm-* for tokens, which editor.css sets per theme. So
 * switching `html[data-theme]` recolours an open editor without rebuilding it.
 */
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorView } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";
import type { Extension } from "@codemirror/state";

const chrome = EditorView.theme({
  "&": {
    color: "var(--fg, #1f2328)",
    backgroundColor: "var(--code-bg, #f6f8fa)",
    fontSize: "13px",
    height: "100%",
  },
  ".cm-scroller": { fontFamily: "var(--mono, ui-monospace, monospace)", lineHeight: "1.5" },
  ".cm-content": { caretColor: "var(--fg, #1f2328)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--fg, #1f2328)" },
  "&.cm-focused": { outline: "none" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection":
    { backgroundColor: "var(--cm-selection, #cfe0fb)" },
  ".cm-gutters": {
    backgroundColor: "var(--code-bg, #f6f8fa)",
    color: "var(--muted, #6a707a)",
    borderRight: "1px solid var(--border, #e3e4e8)",
  },
  ".cm-activeLine": { backgroundColor: "var(--cm-active-line, rgba(0, 0, 0, 0.03))" },
  ".cm-activeLineGutter": { backgroundColor: "var(--cm-active-line, rgba(0, 0, 0, 0.03))" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--cm-bracket, rgba(36, 88, 179, 0.18))" },
  ".cm-searchMatch": { backgroundColor: "var(--cm-search, rgba(255, 200, 0, 0.35))" },
  ".cm-panels": { backgroundColor: "var(--panel, #fff)", color: "var(--fg, #1f2328)" },
  ".cm-panels.cm-panels-bottom": { borderTop: "1px solid var(--border, #e3e4e8)" },
  ".cm-tooltip": {
    backgroundColor: "var(--panel, #fff)",
    color: "var(--fg, #1f2328)",
    border: "1px solid var(--border, #e3e4e8)",
  },
});

const tokens = HighlightStyle.define([
  { tag: [t.keyword, t.operatorKeyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword], color: "var(--cm-keyword, #8b3fbf)" },
  { tag: [t.string, t.special(t.string), t.regexp], color: "var(--cm-string, #0a7b36)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--cm-number, #b45309)" },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: "var(--cm-comment, #6a737d)", fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.definition(t.variableName))], color: "var(--cm-function, #2458b3)" },
  { tag: [t.typeName, t.className, t.namespace], color: "var(--cm-type, #b4532a)" },
  { tag: [t.propertyName, t.attributeName], color: "var(--cm-property, #1f6f8b)" },
  { tag: [t.definition(t.variableName), t.special(t.variableName)], color: "var(--cm-variable, #1f2328)" },
  { tag: [t.operator, t.punctuation], color: "var(--cm-punctuation, #4b5563)" },
  { tag: t.invalid, color: "var(--danger, #b42318)" },
]);

export const editorTheme: Extension = [chrome, syntaxHighlighting(tokens)];
