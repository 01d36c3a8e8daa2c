import { describe, expect, it } from "vitest";
import { EMPTY_LOG, logFrom, mergeChunk, utf8Length, type LogView } from "./logStream";

/** Merges chunks in the order given; returns the log and how many were gaps. */
function mergeAll(chunks: [number, string][], start: LogView = EMPTY_LOG): { log: LogView; gaps: number } {
  let log = start;
  let gaps = 0;
  for (const [offset, data] of chunks) {
    const merged = mergeChunk(log, offset, data);
    log = merged.log;
    if (merged.gap) gaps += 1;
  }
  return { log, gaps };
}

describe("mergeChunk", () => {
  it("appends a chunk that starts where the log ends", () => {
    const { log, gaps } = mergeAll([
      [0, "starting\n"],
      [9, "done\n"],
    ]);
    expect(log).toEqual({ text: "starting\ndone\n", end: 14 });
    expect(gaps).toBe(0);
  });

  it("counts offsets in UTF-8 bytes, as the server does", () => {
    expect(utf8Length("café ☕ 🚀")).toBe(5 + 1 + 3 + 1 + 4);
    const { log, gaps } = mergeAll([
      [0, "café\n"], // 6 bytes
      [6, "☕\n"], // 4 bytes
      [10, "🚀\n"],
    ]);
    expect(log).toEqual({ text: "café\n☕\n🚀\n", end: 15 });
    expect(gaps).toBe(0);
  });

  it("ignores a chunk the log already has (a backlog and a live message that overlap)", () => {
    const start = logFrom("one\ntwo\n");
    expect(mergeChunk(start, 0, "one\n")).toEqual({ log: start, gap: false });
    expect(mergeChunk(start, 4, "two\n")).toEqual({ log: start, gap: false });
    expect(mergeChunk(start, 8, "")).toEqual({ log: start, gap: false });
  });

  it("adds only the new part of a chunk that overlaps the end", () => {
    const { log } = mergeAll([[4, "two\nthree\n"]], logFrom("one\ntwo\n"));
    expect(log).toEqual({ text: "one\ntwo\nthree\n", end: 14 });
    const accents = mergeAll([[0, "é€x"]], logFrom("é")); // cut after the 2-byte "é"
    expect(accents.log).toEqual({ text: "é€x", end: 6 });
  });

  it("refuses a chunk after a gap and says so, so the caller asks again from the end", () => {
    const start = logFrom("one\n");
    expect(mergeChunk(start, 8, "three\n")).toEqual({ log: start, gap: true });
  });

  it("turns any mix of repeats, overlaps and gaps into the exact log, once", () => {
    const lines = ["naïve\n", "café ☕\n", "step 3\n", "🚀 done\n"];
    const offsets = lines.reduce<number[]>((acc, _line, i) => {
      acc.push(i === 0 ? 0 : acc[i - 1]! + utf8Length(lines[i - 1]!));
      return acc;
    }, []);
    const chunk = (i: number): [number, string] => [offsets[i]!, lines[i]!];
    const { log, gaps } = mergeAll([
      chunk(0),
      chunk(0), // a repeat
      chunk(2), // a gap: refused
      chunk(1),
      [offsets[1]!, lines[1]! + lines[2]!], // the database's catch-up overlapping what we have
      chunk(2), // the live message the catch-up covered
      chunk(3),
      chunk(3),
    ]);
    expect(log.text).toBe(lines.join(""));
    expect(log.end).toBe(utf8Length(lines.join("")));
    expect(gaps).toBe(1);
  });
});
