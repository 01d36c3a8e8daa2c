import { afterEach, describe, expect, it } from "vitest";
import { clearDraft, draftKey, draftToOffer, loadDraft, sameDoc, storeDraft, type EditorDoc } from "./draft";

const SAVED: EditorDoc = {
  path: "u/ada/greet",
  language: "python3",
  content: "def main(name: str):\n    return name\n",
  summary: "Greets",
  description: "Greets someone by name.",
  edits: { fields: { name: { title: "Name" } } },
};

afterEach(() => window.localStorage.clear());

describe("draft storage", () => {
  it("keys drafts by workspace and path, and a new script by 'new'", () => {
    expect(draftKey("main", "u/ada/greet")).toBe("kiln.draft.main.u/ada/greet");
    expect(draftKey("main", null)).toBe("kiln.draft.main.new");
  });

  it("stores a draft with its base version and time, and reads it back", () => {
    const key = draftKey("main", SAVED.path);
    const edited = { ...SAVED, content: "def main(name: str, n: int):\n    pass\n" };
    storeDraft(key, edited, "a1b2c3d4e5f60718", new Date("2025-01-02T10:00:00Z"));
    expect(loadDraft(key)).toEqual({ ...edited, baseHash: "a1b2c3d4e5f60718", savedAt: "2025-01-02T10:00:00.000Z" });
  });

  it("offers a draft only when it differs from the saved version", () => {
    const key = draftKey("main", SAVED.path);
    storeDraft(key, SAVED, "h1");
    expect(draftToOffer(key, SAVED)).toBeNull();
    storeDraft(key, { ...SAVED, summary: "Greets people" }, "h1");
    expect(draftToOffer(key, SAVED)?.summary).toBe("Greets people");
    storeDraft(key, { ...SAVED, description: "Greets people, at length." }, "h1");
    expect(draftToOffer(key, SAVED)?.description).toBe("Greets people, at length.");
  });

  it("reads a draft written before the description was editable, with the saved description", () => {
    const key = draftKey("main", SAVED.path);
    const { description: _, ...old } = { ...SAVED, baseHash: "h1", savedAt: "2025-01-02T10:00:00.000Z" };
    window.localStorage.setItem(key, JSON.stringify(old));
    // No saved version to take it from: none.
    expect(loadDraft(key)).toEqual({ ...old, description: "" });
    expect(loadDraft(key, SAVED.description)).toEqual({ ...old, description: SAVED.description });
    // So an old draft of the saved version itself is not offered...
    expect(draftToOffer(key, SAVED)).toBeNull();
    // ...and one with other code is, keeping the saved description.
    window.localStorage.setItem(key, JSON.stringify({ ...old, content: "def main():\n    pass\n" }));
    expect(draftToOffer(key, SAVED)).toMatchObject({ content: "def main():\n    pass\n", description: SAVED.description });
  });

  it("tells edits apart, whatever order their keys were written in", () => {
    const a = { ...SAVED, edits: { fields: { n: { minimum: 1, maximum: 2 } } } };
    const b = { ...SAVED, edits: { fields: { n: { maximum: 2, minimum: 1 } } } };
    expect(sameDoc(a, b)).toBe(true);
    expect(sameDoc(a, { ...b, edits: { fields: {} } })).toBe(false);
  });

  it("forgets a discarded draft", () => {
    const key = draftKey("main", null);
    storeDraft(key, SAVED, null);
    clearDraft(key);
    expect(loadDraft(key)).toBeNull();
  });

  it("reads garbage or an old format as no draft", () => {
    window.localStorage.setItem("kiln.draft.main.x", "{not json");
    window.localStorage.setItem("kiln.draft.main.y", JSON.stringify({ content: "only" }));
    window.localStorage.setItem(
      "kiln.draft.main.z",
      JSON.stringify({ ...SAVED, description: 42, baseHash: null, savedAt: "2025-01-02T10:00:00.000Z" }),
    );
    expect(loadDraft("kiln.draft.main.x")).toBeNull();
    expect(loadDraft("kiln.draft.main.y")).toBeNull();
    expect(loadDraft("kiln.draft.main.z")).toBeNull();
  });
});
