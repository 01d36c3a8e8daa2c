import { describe, expect, it } from "vitest";
import { imageDataUrl, MAX_TABLE_COLUMNS, resultKind, tableColumns } from "./resultKind";

/** A 1×1 PNG. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
/** Starts like a JPEG (FF D8 FF E0), long enough to be one. */
const JPEG = `/9j/4AAQ${"A".repeat(120)}`;

describe("resultKind: images", () => {
  it("shows a PNG or JPEG data URL as an image", () => {
    expect(resultKind(`data:image/png;base64,${PNG}`)).toEqual({
      kind: "image",
      src: `data:image/png;base64,${PNG}`,
      mime: "image/png",
      alt: "Result image",
    });
    expect(resultKind(`data:image/jpeg;base64,${JPEG}`)).toMatchObject({ kind: "image", mime: "image/jpeg" });
  });

  it("recognises bare base64 by the PNG and JPEG magic bytes", () => {
    expect(resultKind(PNG)).toMatchObject({ kind: "image", src: `data:image/png;base64,${PNG}`, mime: "image/png" });
    expect(resultKind(JPEG)).toMatchObject({ kind: "image", mime: "image/jpeg" });
    // Line-wrapped base64 (Python's encodebytes) too.
    expect(resultKind(`${PNG.slice(0, 40)}\n${PNG.slice(40)}\n`)).toMatchObject({ kind: "image", src: `data:image/png;base64,${PNG}` });
  });

  it("leaves text that only looks like an image's start as JSON", () => {
    expect(resultKind("/9j/abcd")).toEqual({ kind: "json" });
    expect(resultKind("iVBORw0KGgo is how a PNG starts")).toEqual({ kind: "json" });
    expect(resultKind(`${PNG}!`)).toEqual({ kind: "json" });
    expect(resultKind("hello")).toEqual({ kind: "json" });
  });

  it("refuses data URLs of types an image tag should not show", () => {
    expect(resultKind("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=")).toEqual({ kind: "json" });
    expect(resultKind("data:text/html;base64,PGgxPmhpPC9oMT4=")).toEqual({ kind: "json" });
    expect(imageDataUrl("data:image/png;base64,not base64!")).toBeNull();
  });

  it("shows {render: 'image'} objects, with their mime type and alt text", () => {
    expect(resultKind({ render: "image", data: PNG, alt: "Sales chart" })).toEqual({
      kind: "image",
      src: `data:image/png;base64,${PNG}`,
      mime: "image/png",
      alt: "Sales chart",
    });
    expect(resultKind({ render: "image", data: "AAAAAAAA", mime: "image/webp" })).toMatchObject({
      kind: "image",
      src: "data:image/webp;base64,AAAAAAAA",
    });
    expect(resultKind({ render: "image", src: `data:image/png;base64,${PNG}` })).toMatchObject({ kind: "image" });
  });

  it("never makes an image of a URL the browser would fetch", () => {
    expect(resultKind({ render: "image", src: "https://tracker.example/pixel.png" })).toEqual({ kind: "json" });
    expect(resultKind({ render: "image", data: PNG, mime: "text/html" })).toEqual({ kind: "json" });
    expect(resultKind({ render: "chart", data: PNG })).toEqual({ kind: "json" });
  });
});

describe("resultKind: tables", () => {
  it("shows a list of records as a table, columns in the order first seen", () => {
    const rows = [{ name: "ada", age: 36 }, { name: "alan", city: "London" }];
    expect(resultKind(rows)).toEqual({ kind: "table", rows, columns: ["name", "age", "city"], omittedColumns: 0 });
  });

  it("keeps at most 50 columns and counts the rest", () => {
    const row = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`c${i}`, i]));
    const kind = resultKind([row]);
    expect(kind).toMatchObject({ kind: "table", omittedColumns: 10 });
    expect(kind.kind === "table" && kind.columns).toHaveLength(MAX_TABLE_COLUMNS);
  });

  it("leaves empty lists, mixed lists and lists of empty objects as JSON", () => {
    expect(resultKind([])).toEqual({ kind: "json" });
    expect(resultKind([{ a: 1 }, 2])).toEqual({ kind: "json" });
    expect(resultKind([{ a: 1 }, null])).toEqual({ kind: "json" });
    expect(resultKind([[1, 2]])).toEqual({ kind: "json" });
    expect(resultKind([{}, {}])).toEqual({ kind: "json" });
  });

  it("lists every key of the rows once", () => {
    expect(tableColumns([{ b: 1, a: 2 }, { a: 3, c: 4 }])).toEqual(["b", "a", "c"]);
  });
});

describe("resultKind: JSON", () => {
  it("shows anything else as JSON", () => {
    for (const value of [null, undefined, 42, true, "text", { a: 1 }, [1, 2]]) {
      expect(resultKind(value)).toEqual({ kind: "json" });
    }
  });
});
