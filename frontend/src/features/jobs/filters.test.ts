import { describe, expect, it } from "vitest";
import {
  filtersFromSearch,
  filtersToQuery,
  filtersToSearch,
  hasFilters,
  isoToLocalInput,
  localInputToIso,
  NO_FILTERS,
  pathQuery,
  type RunFilters,
} from "./filters";

const FULL: RunFilters = {
  statuses: ["queued", "failure"],
  path: "f/billing/*",
  trigger: "rerun",
  tag: "gpu",
  range: "",
  createdAfter: "2025-01-01T00:00:00.000Z",
  createdBefore: "2025-02-01T12:30:00.000Z",
};

describe("run filters in the URL", () => {
  it("round-trips every filter through the query string", () => {
    const search = filtersToSearch(FULL);
    expect(search.toString()).toBe(
      "status=queued%2Cfailure&path_prefix=f%2Fbilling%2F&trigger=rerun&tag=gpu" +
        "&created_after=2025-01-01T00%3A00%3A00.000Z&created_before=2025-02-01T12%3A30%3A00.000Z",
    );
    expect(filtersFromSearch(new URLSearchParams(search.toString()))).toEqual(FULL);

    const preset: RunFilters = { ...NO_FILTERS, path: "u/ada/greet", range: "7d" };
    expect(filtersToSearch(preset).toString()).toBe("path=u%2Fada%2Fgreet&range=7d");
    expect(filtersFromSearch(filtersToSearch(preset))).toEqual(preset);
    expect(filtersFromSearch(filtersToSearch(NO_FILTERS))).toEqual(NO_FILTERS);
  });

  it("drops unknown or malformed values and keeps statuses in a fixed order", () => {
    expect(
      filtersFromSearch(
        new URLSearchParams("status=running,bogus,queued,running&trigger=cron&range=2y&created_after=yesterday"),
      ),
    ).toEqual({ ...NO_FILTERS, statuses: ["queued", "running"] });
  });

  it("says whether anything filters", () => {
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, tag: "  " })).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, statuses: ["crashed"] })).toBe(true);
  });
});

describe("run filters for the API", () => {
  it("sends an exact path or a prefix", () => {
    expect(pathQuery("u/ada/greet")).toEqual({ path: "u/ada/greet" });
    expect(pathQuery(" f/billing/* ")).toEqual({ path_prefix: "f/billing/" });
    expect(pathQuery("u/ada/gr**")).toEqual({ path_prefix: "u/ada/gr" });
    expect(pathQuery("*")).toEqual({});
    expect(pathQuery("")).toEqual({});
  });

  it("resolves a preset range against now and passes an absolute one through", () => {
    const now = Date.parse("2025-03-01T12:00:00Z");
    expect(filtersToQuery({ ...NO_FILTERS, range: "1h", createdBefore: "2025-01-01T00:00:00.000Z" }, now)).toEqual({
      created_after: "2025-03-01T11:00:00.000Z",
    });
    expect(filtersToQuery(FULL, now)).toEqual({
      status: "queued,failure",
      path_prefix: "f/billing/",
      trigger: "rerun",
      tag: "gpu",
      created_after: FULL.createdAfter,
      created_before: FULL.createdBefore,
    });
  });

  it("converts datetime-local values to and from ISO instants", () => {
    const iso = localInputToIso("2025-01-02T03:04");
    expect(iso).toBe(new Date(2025, 0, 2, 3, 4).toISOString());
    expect(isoToLocalInput(iso)).toBe("2025-01-02T03:04");
    expect(localInputToIso("")).toBe("");
    expect(isoToLocalInput("nope")).toBe("");
  });
});
