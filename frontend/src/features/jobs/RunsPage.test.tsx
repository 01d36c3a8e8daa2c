import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";

const JOBS = [
  {
    id: "7b1f2c1e-0000-4000-8000-000000000001",
    script_path: "u/ada/greet",
    script_hash: "a1b2c3d4e5f60718",
    language: "python3",
    status: "success",
    created_at: "2025-01-02T10:00:00Z",
    started_at: "2025-01-02T10:00:01Z",
    finished_at: "2025-01-02T10:00:02Z",
    duration_ms: 1234,
    created_by: "ada@example.com",
  },
  {
    id: "7b1f2c1e-0000-4000-8000-000000000002",
    script_path: "u/ada/greet",
    script_hash: "a1b2c3d4e5f60718",
    language: "python3",
    status: "queued",
    created_at: "2025-01-02T10:01:00Z",
    started_at: null,
    finished_at: null,
    duration_ms: null,
    created_by: "ada@example.com",
  },
];

describe("RunsPage", () => {
  it("lists recent jobs with status badges and durations", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/jobs": () => jsonResponse(JOBS),
    });
    renderWithProviders(<App />, { route: "/w/demo/runs" });

    expect(await screen.findByRole("heading", { name: "Runs" })).toBeInTheDocument();
    const rows = within(await screen.findByTestId("runs-table")).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText("Success")).toHaveClass("badge-success");
    expect(within(rows[0]!).getByText("1.2 s")).toBeInTheDocument();
    expect(within(rows[1]!).getByText("Queued")).toHaveClass("badge-queued");
    expect(within(rows[1]!).getByText("—")).toBeInTheDocument();

    // The created time opens the job's page.
    const created = within(rows[0]!).getByRole("time").closest("a");
    expect(created).toHaveAttribute("href", "/w/demo/runs/7b1f2c1e-0000-4000-8000-000000000001");
  });
});
