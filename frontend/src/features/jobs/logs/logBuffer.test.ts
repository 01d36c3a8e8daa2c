import { describe, expect, it } from "vitest";
import { PLAIN } from "./ansi";
import { LogBuffer } from "./logBuffer";

describe("LogBuffer", () => {
  it("splits a log into rows, not counting the empty line after a final newline", () => {
    const buffer = new LogBuffer();
    expect(buffer.update("a\nb\n")).toBe(2);
    expect(buffer.lines).toEqual(["a", "b", ""]);
    expect(buffer.endsWithNewline(1)).toBe(true);
    expect(buffer.update("a\nb\nc")).toBe(3);
    expect(buffer.endsWithNewline(2)).toBe(false);
  });

  it("continues the unfinished last line when the log grows", () => {
    const buffer = new LogBuffer();
    buffer.update("first\nsec");
    buffer.update("first\nsecond\nthi");
    expect(buffer.lines).toEqual(["first", "second", "thi"]);
  });

  it("reads an escape sequence cut between two updates whole", () => {
    const buffer = new LogBuffer();
    buffer.update("x\x1b[3");
    buffer.update("x\x1b[31mred\nstill red\n");
    expect(buffer.lines).toEqual(["x\x1b[31mred", "still red", ""]);
    expect(buffer.starts[0]).toBe(PLAIN);
    expect(buffer.starts[1]?.fg).toBe(1);
    expect(buffer.starts[2]?.fg).toBe(1);
  });

  it("parses again from the start when the text is not a continuation", () => {
    const buffer = new LogBuffer();
    buffer.update("\x1b[32mold\nlog\n");
    expect(buffer.update("new\n")).toBe(1);
    expect(buffer.lines).toEqual(["new", ""]);
    expect(buffer.starts).toEqual([PLAIN, PLAIN]);
    expect(buffer.update("")).toBe(0);
  });

  it("shares one state object between lines without escapes", () => {
    const buffer = new LogBuffer();
    buffer.update(Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n"));
    expect(new Set(buffer.starts).size).toBe(1);
  });

  it("measures the longest line by the characters it shows", () => {
    const buffer = new LogBuffer();
    buffer.update("abc\n\x1b[38;2;1;2;3mfive!\x1b[0m\n");
    expect(buffer.widest).toBe(5);
    buffer.update("abc\n\x1b[38;2;1;2;3mfive!\x1b[0m\nlonger line");
    expect(buffer.widest).toBe(11);
    buffer.update("x");
    expect(buffer.widest).toBe(1);
  });
});
