import { describe, expect, it } from "vitest";
import { displayKeys, eventStep, isTypingTarget, parseKeys, worksWhileTyping } from "./keys";

function key(k: string, mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>> = {}) {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe("shortcut keys", () => {
  it("names a keydown as a step", () => {
    expect(eventStep(key("g"))).toBe("g");
    expect(eventStep(key("?", { shiftKey: true }))).toBe("?");
    expect(eventStep(key("Enter", { metaKey: true }))).toBe("Mod+Enter");
    expect(eventStep(key("Enter", { ctrlKey: true }))).toBe("Mod+Enter");
    expect(eventStep(key("S", { ctrlKey: true, shiftKey: true }))).toBe("Mod+Shift+s");
    expect(eventStep(key("Enter", { shiftKey: true }))).toBe("Shift+Enter");
    expect(eventStep(key(" "))).toBe("Space");
    expect(eventStep(key("Shift", { shiftKey: true }))).toBeNull();
  });

  it("parses written shortcuts into the same steps", () => {
    expect(parseKeys("g h")).toEqual(["g", "h"]);
    expect(parseKeys("Mod+S")).toEqual(["Mod+s"]);
    expect(parseKeys(" Mod+Enter ")).toEqual(["Mod+Enter"]);
  });

  it("lets only Mod combos and Escape through while typing", () => {
    expect(worksWhileTyping("Mod+Enter")).toBe(true);
    expect(worksWhileTyping("Escape")).toBe(true);
    expect(worksWhileTyping("g")).toBe(false);
  });

  it("knows which elements take typing", () => {
    const text = document.createElement("input");
    const box = document.createElement("input");
    box.type = "checkbox";
    const editor = document.createElement("div");
    editor.className = "cm-editor";
    const inner = document.createElement("div");
    editor.append(inner);
    const editable = document.createElement("div");
    editable.setAttribute("contenteditable", "true");
    expect(isTypingTarget(text)).toBe(true);
    expect(isTypingTarget(document.createElement("textarea"))).toBe(true);
    expect(isTypingTarget(box)).toBe(false);
    expect(isTypingTarget(inner)).toBe(true);
    expect(isTypingTarget(editable)).toBe(true);
    expect(isTypingTarget(document.body)).toBe(false);
  });

  it("displays keys as on the keyboard", () => {
    expect(displayKeys("Mod+Enter")).toEqual([["Ctrl/⌘", "Enter"]]);
    expect(displayKeys("Mod+s")).toEqual([["Ctrl/⌘", "S"]]);
    expect(displayKeys("g h")).toEqual([["g"], ["h"]]);
  });
});
