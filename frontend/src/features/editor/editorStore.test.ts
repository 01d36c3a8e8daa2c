import { describe, expect, it } from "vitest";
import { sameDoc, type EditorDoc } from "./draft";
import { editorReducer, type EditorState } from "./editorStore";
import { languageInfo } from "./languages";

const doc: EditorDoc = {
  path: "",
  language: "python3",
  content: languageInfo("python3")!.template,
  summary: "",
  description: "",
  edits: { fields: {} },
};
const state: EditorState = { doc, base: doc, baseHash: null };

describe("editorReducer", () => {
  it("swaps untouched template code for the new language's", () => {
    const next = editorReducer(state, { type: "language", language: "go" });
    expect(next.doc).toMatchObject({ language: "go", content: languageInfo("go")!.template });
  });

  it("never replaces code the user wrote when the language changes", () => {
    const typed = editorReducer(state, { type: "content", content: "def main(x: int):\n    return x\n" });
    expect(editorReducer(typed, { type: "language", language: "bash" }).doc.content).toBe(
      "def main(x: int):\n    return x\n",
    );
  });

  it("edits the description, which makes the document differ from its base", () => {
    const next = editorReducer(state, { type: "description", description: "Says *hello*." });
    expect(next.doc).toEqual({ ...doc, description: "Says *hello*." });
    expect(next.base).toBe(doc);
    expect(sameDoc(next.doc, next.base)).toBe(false);
  });

  it("makes what was sent the saved base, not what was typed meanwhile", () => {
    const sent = { ...doc, path: "u/ada/x", content: "v1" };
    const typedOn = { ...state, doc: { ...sent, content: "v2" } };
    const next = editorReducer(typedOn, { type: "saved", saved: sent, hash: "h1" });
    expect(next).toEqual({ doc: { ...sent, content: "v2" }, base: sent, baseHash: "h1" });
  });
});
