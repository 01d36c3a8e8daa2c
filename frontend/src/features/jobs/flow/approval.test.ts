import { describe, expect, it } from "vitest";
import { onThisOrigin } from "./approval";

describe("onThisOrigin", () => {
  it("keeps a signed URL's path and query, on this page's origin", () => {
    const url = "https://kiln.example.com/api/w/main/jobs_u/resume/j1/r1/s1g?step=decide%2F0%2Fok&approver=ann%40x.io";
    expect(onThisOrigin(url, "http://localhost:5173")).toBe(
      "http://localhost:5173/api/w/main/jobs_u/resume/j1/r1/s1g?step=decide%2F0%2Fok&approver=ann%40x.io",
    );
  });

  it("takes a URL without a host as a path on this origin", () => {
    expect(onThisOrigin("/api/w/main/jobs_u/cancel/j1/r1/s1g?step=a", "https://kiln.test")).toBe(
      "https://kiln.test/api/w/main/jobs_u/cancel/j1/r1/s1g?step=a",
    );
  });
});
