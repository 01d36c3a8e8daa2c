import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";

const SCRIPTS = [
  {
    path: "u/ada/greet",
    language: "python3",
    hash: "a1b2c3d4e5f60718",
    summary: "Say hello",
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    versions: 3,
  },
  {
    path: "f/billing/sync_invoices",
    language: "deno",
    hash: "ffeeddccbbaa9988",
    summary: "",
    created_by: "bob@example.com",
    created_at: "2025-01-01T08:30:00Z",
    versions: 1,
  },
];

describe("ScriptsPage", () => {
  it("renders one row per script with path link, language and short hash", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts": () => jsonResponse(SCRIPTS),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts" });

    expect(await screen.findByRole("heading", { name: "Scripts" })).toBeInTheDocument();
    const table = await screen.findByTestId("scripts-table");
    const headers = within(table).getAllByRole("columnheader").map((th) => th.textContent);
    expect(headers).toEqual(["Path", "Language", "Version", "Updated"]);

    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);

    const first = within(rows[0]!);
    expect(first.getByRole("link", { name: "u/ada/greet" })).toHaveAttribute("href", "/w/demo/scripts/p/u/ada/greet");
    expect(first.getByText("python3")).toBeInTheDocument();
    expect(first.getByText("a1b2c3d4")).toBeInTheDocument();
    expect(first.getByText("Say hello")).toBeInTheDocument();
    expect(within(rows[1]!).getByRole("link", { name: "f/billing/sync_invoices" })).toHaveAttribute(
      "href",
      "/w/demo/scripts/p/f/billing/sync_invoices",
    );

    // The shell shows the workspace, the user and the navigation.
    expect(screen.getByText("Demo workspace")).toBeInTheDocument();
    expect(screen.getByText("ada@example.com")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Sign out" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Runs" })).toHaveAttribute("href", "/w/demo/runs");
    expect(screen.getByRole("link", { name: "New script" })).toHaveAttribute("href", "/w/demo/scripts/new");
  });

  it("shows the empty state with a curl hint when there are no scripts", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts": () => jsonResponse([]),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts" });

    expect(await screen.findByText("No scripts yet")).toBeInTheDocument();
    expect(screen.queryByTestId("scripts-table")).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "New script" })).toHaveAttribute("href", "/w/demo/scripts/new");
    const hint = screen.getByTestId("create-script-hint").textContent;
    expect(hint).toBe(
      `curl -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ` +
        String.raw`-d '{"path":"u/you/hello","language":"python3","content":"def main(name: str):\n    return f\"hi {name}\""}' ` +
        `${window.location.origin}/api/w/demo/scripts`,
    );
  });

  it("shows the API message when loading fails", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts": () => jsonResponse({ message: "database is locked", detail: null }, 500),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts" });

    expect(await screen.findByRole("alert")).toHaveTextContent("database is locked");
  });
});
