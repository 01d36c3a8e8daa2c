import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";

describe("ScriptDetailPage", () => {
  it("shows source, metadata and the schema's arguments", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts/p/u/ada/greet": () =>
        jsonResponse({
          path: "u/ada/greet",
          language: "python3",
          hash: "a1b2c3d4e5f60718",
          summary: "Say hello",
          content: 'def main(name: str, times: int = 1):\n    return f"hi {name}" * times\n',
          schema: {
            type: "object",
            properties: { name: { type: "string" }, times: { type: "integer", default: 1 } },
            required: ["name"],
          },
          created_by: "ada@example.com",
          created_at: "2025-01-02T10:00:00Z",
        }),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });

    expect(await screen.findByRole("heading", { level: 1, name: "u/ada/greet" })).toBeInTheDocument();
    expect(await screen.findByTestId("script-source")).toHaveTextContent('return f"hi {name}" * times');
    expect(screen.getByText("a1b2c3d4e5f60718")).toBeInTheDocument();
    expect(screen.getByText("python3")).toBeInTheDocument();

    const rows = within(screen.getByTestId("schema-table")).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell").map((c) => c.textContent))).toEqual([
      ["name", "string", "Yes", "—"],
      ["times", "integer", "No", "1"],
    ]);
  });

  it("shows a 404's message", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts/p/u/ada/missing": () => jsonResponse({ message: "script not found" }, 404),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/missing" });
    expect(await screen.findByRole("alert")).toHaveTextContent("script not found");
  });
});
