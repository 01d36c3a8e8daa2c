import { describe, expect, it } from "vitest";
import {
  filterItems,
  folderOf,
  groupByFolder,
  parseKinds,
  personalFolder,
  toItems,
  type HomeItem,
} from "./homeItems";

const ITEMS = toItems("demo", {
  scripts: [
    { path: "u/ada/greet", summary: "Say hello" },
    { path: "f/billing/invoice", summary: "Monthly invoices" },
  ],
  flows: [{ path: "f/billing/close_month", summary: "Close the books" }],
  schedules: [{ path: "u/ada/greet", summary: "Every morning" }],
  apps: [{ path: "u/bob/form", summary: "Expense form" }],
});

function paths(items: readonly HomeItem[]): string[] {
  return items.map((item) => `${item.kind}:${item.path}`);
}

describe("home items", () => {
  it("finds the folder in a path's first two segments", () => {
    expect(folderOf("u/ada/greet")).toBe("u/ada");
    expect(folderOf("f/billing/sub/job")).toBe("f/billing");
    expect(folderOf("greet")).toBe("");
    expect(folderOf("x/y/z")).toBe("");
    expect(folderOf("u/")).toBe("");
  });

  it("links each kind to its page, flows to their runs", () => {
    const hrefs = Object.fromEntries(ITEMS.map((item) => [`${item.kind}:${item.path}`, item.href]));
    expect(hrefs).toEqual({
      "script:u/ada/greet": "/w/demo/scripts/p/u/ada/greet",
      "script:f/billing/invoice": "/w/demo/scripts/p/f/billing/invoice",
      "flow:f/billing/close_month": "/w/demo/flows/p/f/billing/close_month",
      "schedule:u/ada/greet": "/w/demo/schedules/p/u/ada/greet",
      "app:u/bob/form": "/apps/demo/u/bob/form",
    });
  });

  it("filters by path or summary, ignoring case, and by kind", () => {
    expect(paths(filterItems(ITEMS, "BILLING", []))).toEqual(["script:f/billing/invoice", "flow:f/billing/close_month"]);
    expect(paths(filterItems(ITEMS, "  hello ", []))).toEqual(["script:u/ada/greet"]);
    expect(paths(filterItems(ITEMS, "greet", ["schedule"]))).toEqual(["schedule:u/ada/greet"]);
    expect(filterItems(ITEMS, "", [])).toHaveLength(5);
    expect(filterItems(ITEMS, "nothing like it", [])).toEqual([]);
  });

  it("reads kinds from the URL, dropping unknown ones", () => {
    expect(parseKinds(null)).toEqual([]);
    expect(parseKinds("flow,script,bogus")).toEqual(["script", "flow"]);
  });

  it("groups by folder: your own first, then other people's, then shared folders, then the rest", () => {
    const groups = groupByFolder([...ITEMS, { kind: "script", path: "loose", summary: "", href: "/x" }], "u/bob");
    expect(groups.map((g) => [g.key, g.personal])).toEqual([
      ["u/bob", true],
      ["u/ada", true],
      ["f/billing", false],
      ["", false],
    ]);
    // By path, then kind: a script before the schedule of the same path.
    expect(paths(groups[1]!.items)).toEqual(["script:u/ada/greet", "schedule:u/ada/greet"]);
    expect(paths(groups[2]!.items)).toEqual(["flow:f/billing/close_month", "script:f/billing/invoice"]);
  });

  it("derives the personal folder from the email as the server does", () => {
    expect(personalFolder("Ada.Lovelace@example.com")).toBe("u/ada_lovelace");
    expect(personalFolder("--x@example.com")).toBe("u/x");
    expect(personalFolder("@example.com")).toBe("u/user");
  });
});
