import { describe, expect, it } from "vitest";
import { csvCell, csvField, toCsv } from "./csv";

describe("csvField", () => {
  it("leaves a plain field bare", () => {
    expect(csvField("hello world")).toBe("hello world");
    expect(csvField("")).toBe("");
  });

  it("quotes a field with a comma, a quote, CR or LF, doubling its quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });
});

describe("csvCell", () => {
  it("writes primitives as text, blanks for null and absent, JSON for nested values", () => {
    expect(csvCell("x")).toBe("x");
    expect(csvCell(1.5)).toBe("1.5");
    expect(csvCell(false)).toBe("false");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });
});

describe("toCsv", () => {
  it("writes a header row and one CRLF-ended record per row", () => {
    const csv = toCsv(
      ["name", "note", "tags"],
      [
        { name: "ada", note: 'said "hi", then left', tags: ["x", "y"] },
        { name: "alan", note: "line 1\nline 2" },
      ],
    );
    expect(csv).toBe(
      'name,note,tags\r\nada,"said ""hi"", then left","[""x"",""y""]"\r\nalan,"line 1\nline 2",\r\n',
    );
  });

  it("quotes header names like any field", () => {
    expect(toCsv(["a,b"], [])).toBe('"a,b"\r\n');
  });
});
