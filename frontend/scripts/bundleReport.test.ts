import { describe, expect, it } from "vitest";
import { formatReport, measureBundle, type ReportBundle } from "./bundleReport";

function chunk(fileName: string, size: number, imports: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: "chunk", fileName, code: "x".repeat(size), isEntry: false, imports, dynamicImports: [], ...extra };
}

const BUNDLE = {
  "index.js": chunk("index.js", 4000, ["vendor.js"], { isEntry: true, dynamicImports: ["editor.js"] }),
  "vendor.js": chunk("vendor.js", 8000, ["shared.js"]),
  "shared.js": chunk("shared.js", 1000),
  "editor.js": chunk("editor.js", 50000, ["shared.js"]),
  "index.css": { type: "asset", fileName: "index.css" },
} as unknown as ReportBundle;

describe("bundle report", () => {
  it("counts the entry and its static imports, transitively, and nothing lazy", () => {
    const report = measureBundle(BUNDLE);
    expect(report.initial.map((c) => c.fileName).sort()).toEqual(["index.js", "shared.js", "vendor.js"]);
    expect(report.lazy.map((c) => c.fileName)).toEqual(["editor.js"]);
    expect(report.initialRawKb).toBeCloseTo(13, 5);
    expect(report.initialGzipKb).toBeGreaterThan(0);
    expect(report.initialGzipKb).toBeLessThan(report.initialRawKb);
  });

  it("prints a table with a total and the lazy chunks apart", () => {
    const text = formatReport(measureBundle(BUNDLE), 300);
    expect(text).toMatch(/chunk\s+raw kB\s+gzip kB/);
    expect(text).toMatch(/total\s+13\.0\s+\d+\.\d/);
    expect(text).toContain("budget: 300 kB gzipped");
    expect(text.indexOf("Lazy chunks")).toBeLessThan(text.indexOf("editor.js"));
  });
});
