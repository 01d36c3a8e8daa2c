import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";

const GREET = {
  path: "u/ada/greet",
  language: "python3",
  hash: "c3c3c3c3c3c3c3c3",
  summary: "Say hello loudly",
  content: 'def main(name: str):\n    return f"HI {name}"\n',
  schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  settings: {},
  created_by: "ada@example.com",
  created_at: "2025-01-03T10:00:00Z",
  access: "owner",
};

/** Three versions, newest first; each one's code as /scripts/h/{hash} returns it. */
const VERSIONS = [
  { hash: "c3c3c3c3c3c3c3c3", summary: "Say hello loudly", code: 'def main(name: str):\n    return f"HI {name}"\n' },
  { hash: "b2b2b2b2b2b2b2b2", summary: "Say hello", code: 'def main(name: str):\n    return f"hi {name}"\n' },
  { hash: "a1a1a1a1a1a1a1a1", summary: "", code: "def main():\n    return 1\n" },
];

function mockVersions(access = "owner", extra: Record<string, RouteHandler> = {}) {
  const routes: Record<string, RouteHandler> = {
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse({ ...GREET, access }),
    "GET /api/w/demo/scripts/versions/p/u/ada/greet": () =>
      jsonResponse(
        VERSIONS.map((v, i) => ({
          hash: v.hash,
          language: "python3",
          summary: v.summary,
          created_by: "ada@example.com",
          created_at: `2025-01-0${3 - i}T10:00:00Z`,
          latest: i === 0,
        })),
      ),
  };
  for (const v of VERSIONS) {
    routes[`GET /api/w/demo/scripts/h/${v.hash}`] = () => jsonResponse({ ...GREET, hash: v.hash, content: v.code });
  }
  return mockApi({ ...routes, ...extra });
}

/** The diff's rows as "<old> <new> <sign><text>". */
function diffRows(): string[] {
  return [...screen.getByTestId("version-diff").querySelectorAll("tr[data-kind]")].map((row) =>
    [...row.querySelectorAll("td")].map((cell) => cell.textContent).join(" "),
  );
}

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

  it("renders the description as Markdown, with raw HTML and javascript: links as text", async () => {
    const description = [
      "Greets **someone** with `greet`.",
      "- once\n- twice",
      "[The docs](https://example.com/docs) or [click](javascript:alert(1))",
      '<script>alert("x")</script> <img src=x onerror="alert(1)">',
    ].join("\n\n");
    mockVersions("owner", {
      "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse({ ...GREET, description }),
    });
    const { container } = renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });

    const docs = await screen.findByRole("link", { name: "The docs" });
    expect(docs).toHaveAttribute("href", "https://example.com/docs");
    expect(docs).toHaveAttribute("target", "_blank");
    expect(docs).toHaveAttribute("rel", "noopener noreferrer");
    const box = container.querySelector<HTMLElement>(".script-description")!;
    expect(within(box).getByText("someone").tagName).toBe("STRONG");
    expect(within(box).getByText("greet").tagName).toBe("CODE");
    expect(within(box).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["once", "twice"]);
    expect(screen.queryByRole("link", { name: "click" })).not.toBeInTheDocument();
    expect(container.querySelector('a[href^="javascript"]')).toBeNull();
    expect(container.querySelector("script, img")).toBeNull();
    expect(box).toHaveTextContent('<script>alert("x")</script> <img src=x onerror="alert(1)">');
  });

  it("shows a 404's message", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts/p/u/ada/missing": () => jsonResponse({ message: "script not found" }, 404),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/missing" });
    expect(await screen.findByRole("alert")).toHaveTextContent("script not found");
  });

  it("offers Edit to those who may change the script", async () => {
    mockVersions("owner");
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });
    expect(await screen.findByRole("link", { name: "Edit" })).toHaveAttribute("href", "/w/demo/scripts/edit/u/ada/greet");
  });

  it("offers no Edit to those who may only run it", async () => {
    mockVersions("view");
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });
    await screen.findByTestId("script-access");
    expect(screen.queryByRole("link", { name: "Edit" })).not.toBeInTheDocument();
  });

  it("lists the versions and shows what the latest one changed", async () => {
    mockVersions();
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet?tab=versions" });
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[2]!.textContent)).toEqual(["c3c3c3c3 latest", "b2b2b2b2 ", "a1a1a1a1 "]);
    expect(within(rows[1]!).getByText("Say hello")).toBeInTheDocument();

    await screen.findByTestId("version-diff");
    expect(await screen.findByRole("heading", { name: "b2b2b2b2 → c3c3c3c3" })).toBeInTheDocument();
    expect(diffRows()).toEqual([
      "1 1   def main(name: str):",
      '2  - ' + '    return f"hi {name}"',
      ' 2 + ' + '    return f"HI {name}"',
    ]);
  });

  it("compares any two versions picked", async () => {
    mockVersions();
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet?tab=versions" });
    fireEvent.click(await screen.findByRole("radio", { name: "From a1a1a1a1" }));
    fireEvent.click(screen.getByRole("radio", { name: "To b2b2b2b2" }));
    expect(await screen.findByRole("heading", { name: "a1a1a1a1 → b2b2b2b2" })).toBeInTheDocument();
    await screen.findByText("def main(name: str):");
    const kinds = [...screen.getByTestId("version-diff").querySelectorAll("tr[data-kind]")].map((r) => r.getAttribute("data-kind"));
    expect(kinds).toEqual(["del", "del", "add", "add"]);
  });

  it("opens an older version's code in the editor", async () => {
    mockVersions();
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet?tab=versions" });
    expect(await screen.findByRole("link", { name: "Open b2b2b2b2 in editor" })).toHaveAttribute(
      "href",
      "/w/demo/scripts/edit/u/ada/greet?version=b2b2b2b2b2b2b2b2",
    );
    expect(screen.getByRole("link", { name: "Open c3c3c3c3 in editor" })).toHaveAttribute(
      "href",
      "/w/demo/scripts/edit/u/ada/greet",
    );
  });

  it("offers no Delete to those who may only run it", async () => {
    mockVersions("view");
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });
    await screen.findByTestId("script-access");
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
  });

  it("asks before deleting, and Cancel deletes nothing", async () => {
    const fetchMock = mockVersions("owner");
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });
    fireEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = within(screen.getByRole("dialog", { name: "Delete u/ada/greet?" }));
    expect(dialog.getByText("Its past runs stay; schedules that run it must be removed first.")).toBeInTheDocument();
    fireEvent.click(dialog.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(requests(fetchMock, "DELETE")).toEqual([]);
  });

  it("deletes the script and opens the scripts list", async () => {
    const fetchMock = mockVersions("owner", {
      "DELETE /api/w/demo/scripts/p/u/ada/greet": () => new Response(null, { status: 204 }),
      "GET /api/w/demo/scripts": () => jsonResponse([]),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });
    fireEvent.click(await screen.findByRole("button", { name: "Delete" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Scripts" })).toBeInTheDocument();
    expect(screen.getByTestId("deleted-notice")).toHaveTextContent("Deleted u/ada/greet.");
    expect(requests(fetchMock, "DELETE", "/api/w/demo/scripts/p/u/ada/greet")).toHaveLength(1);
  });

  it("keeps the dialog open with the server's message when a schedule still runs the script", async () => {
    const message = "u/ada/greet is run by schedules u/ada/nightly, f/ops/hourly; delete them first";
    mockVersions("owner", {
      "DELETE /api/w/demo/scripts/p/u/ada/greet": () =>
        jsonResponse({ message, detail: { schedules: ["u/ada/nightly", "f/ops/hourly"] } }, 409),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });
    fireEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = within(screen.getByRole("dialog"));
    fireEvent.click(dialog.getByRole("button", { name: "Delete" }));

    expect(await dialog.findByRole("alert")).toHaveTextContent(message);
    expect(dialog.getByRole("button", { name: "Delete" })).toBeEnabled();
    expect(screen.getByRole("heading", { level: 1, name: "u/ada/greet" })).toBeInTheDocument();
  });
});
