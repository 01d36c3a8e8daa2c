/** The code editor's interface, apart from CodeMirror so the page (and tests' stand-in) need not load it. */

/** What the server said is wrong with the code; line and column are 1-based, when known. */
export interface CodeProblem {
  message: string;
  line: number | null;
  column: number | null;
}

export interface CodeEditorProps {
  value: string;
  /** A language id (canonical or alias); picks the highlighting. */
  language: string;
  onChange: (value: string) => void;
  /** Marked at its line as a lint diagnostic. */
  problem?: CodeProblem | null;
  /** Ctrl/Cmd+Enter in the editor. */
  onRun?: () => void;
  /** The accessible name of the editable area (read once, when the editor is built). */
  label: string;
}
