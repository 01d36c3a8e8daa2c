import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jobDetail, jsonResponse, renderWithProviders, requests } from "../../test/utils";
import { bodies, INFER_URL, mockEditorApi, SAVE_URL } from "./testApi";

// CodeMirror needs a real layout engine; the browser test covers it. Here a textarea stands in.
vi.mock("./CodeEditor", () => import("./testEditor"));

const GREET = "def main(name: str, count: int = 3):\n    return name\n";
const JOB = "0f9e8d7c-0000-4000-8000-00000000000a";

afterEach(() => window.localStorage.clear());

function code(): HTMLElement {
  return screen.getByRole("textbox", { name: "Code" });
}

function description(): HTMLElement {
  return screen.getByRole("textbox", { name: "Description" });
}

function preview() {
  return within(screen.getByTestId("form-preview"));
}

/** Waits for the page, the editor (a lazy chunk) and the first form. */
async function ready(field: string) {
  await screen.findByRole("textbox", { name: "Code" });
  await screen.findByTestId("form-preview");
  await preview().findByLabelText(field);
}

async function openNew() {
  const fetchMock = mockEditorApi({}, { stored: [] });
  renderWithProviders(<App />, { route: "/w/demo/scripts/new" });
  await ready("name");
  return fetchMock;
}

async function openExisting(routes = {}) {
  const fetchMock = mockEditorApi(routes);
  renderWithProviders(<App />, { route: "/w/demo/scripts/edit/u/ada/greet" });
  await ready("count");
  return fetchMock;
}

describe("the script editor", () => {
  it("starts a new script from the language's template, with its form beside it", async () => {
    await openNew();
    expect(code()).toHaveValue('def main(name: str = "world"):\n    return f"Hello, {name}!"\n');
    expect(await preview().findByLabelText("name")).toHaveValue("world");
    expect(screen.getByLabelText("Language")).toHaveValue("python3");

    fireEvent.change(screen.getByLabelText("Language"), { target: { value: "bash" } });
    expect((code() as HTMLTextAreaElement).value).toContain('name="${1:-world}"');
  });

  it("re-reads the signature once typing pauses, and updates the form", async () => {
    const fetchMock = await openNew();
    await preview().findByLabelText("name");

    fireEvent.change(code(), { target: { value: "def main(name: str" } });
    fireEvent.change(code(), { target: { value: "def main(name: str, count" } });
    fireEvent.change(code(), { target: { value: GREET } });

    expect(await preview().findByLabelText("count")).toHaveValue(3);
    // The untouched field follows the code: its default is gone.
    expect(preview().getByLabelText("name")).toHaveValue("");
    // Only the code as it was when typing paused was sent (besides the template on opening).
    expect((await bodies(fetchMock, INFER_URL)).map((b) => b.content)).toEqual([
      'def main(name: str = "world"):\n    return f"Hello, {name}!"\n',
      GREET,
    ]);
  });

  it("shows a syntax error under the code at its line, keeping the last good form", async () => {
    await openExisting();
    fireEvent.change(code(), { target: { value: "import os\ndef main(name: str, count\n" } });

    expect(await screen.findByTestId("code-problem")).toHaveTextContent(
      "Line 2, column 9: syntax error: '(' was never closed",
    );
    // The editor marks that line (CodeMirror: a lint diagnostic).
    expect(code()).toHaveAttribute("data-problem-line", "2");
    expect(preview().getByLabelText("count")).toBeInTheDocument();

    fireEvent.change(code(), { target: { value: GREET } });
    await waitFor(() => expect(screen.queryByTestId("code-problem")).not.toBeInTheDocument());
  });

  it("saves a new script, says so, and carries on at its edit page", async () => {
    const fetchMock = await openNew();
    fireEvent.change(screen.getByLabelText("Path"), { target: { value: "u/ada/hello" } });
    fireEvent.change(screen.getByLabelText("Summary"), { target: { value: "Says hello" } });
    expect(description()).toHaveValue("");
    fireEvent.change(description(), { target: { value: "Says hello to *name*." } });
    fireEvent.change(code(), { target: { value: GREET } });
    await preview().findByLabelText("count");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByRole("heading", { level: 1, name: "u/ada/hello" })).toBeInTheDocument();
    expect(await screen.findByText("Saved version f00d1000")).toBeInTheDocument();
    expect(screen.getByLabelText("Path")).toHaveAttribute("readonly");
    const [saved] = await bodies(fetchMock, SAVE_URL);
    expect(saved).toMatchObject({
      path: "u/ada/hello",
      language: "python3",
      content: GREET,
      summary: "Says hello",
      description: "Says hello to *name*.",
    });
    expect(description()).toHaveValue("Says hello to *name*.");
    expect(saved!.schema).toMatchObject({ properties: { name: { type: "string" }, count: { default: 3 } } });
  });

  it("asks for a path before saving a new script", async () => {
    const fetchMock = await openNew();
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByTestId("save-error")).toHaveTextContent("A path is required");
    expect(requests(fetchMock, "POST", "/api/w/demo/scripts")).toHaveLength(0);
  });

  it("shows the API's refusal of a save with the line it names", async () => {
    await openExisting({
      [SAVE_URL]: () =>
        jsonResponse({ message: "main must not take *args", detail: { field: "content", line: 1, column: null } }, 400),
    });
    fireEvent.change(code(), { target: { value: GREET + "\n# changed\n" } });
    fireEvent.keyDown(code(), { key: "s", ctrlKey: true });
    expect(await screen.findByTestId("save-error")).toHaveTextContent("Line 1: main must not take *args");
  });

  it("says when a save made no new version", async () => {
    await openExisting();
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("No changes")).toBeInTheDocument();
  });

  it("shows the saved description, marks an edit of it unsaved, and saves it", async () => {
    const fetchMock = await openExisting();
    expect(description()).toHaveValue("Greets someone by **name**.\n\nReturns the name.");
    expect(description()).toHaveAccessibleDescription("Markdown: what the script is for, its inputs, what it returns");
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();

    fireEvent.change(description(), { target: { value: "Greets someone.\n\n- `name`: who\n- `count`: how often" } });
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();

    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    // Not part of the hash: the same version, its description updated.
    expect(await screen.findByText("Saved the description: still version a1b2c3d4")).toBeInTheDocument();
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();
    const [saved] = await bodies(fetchMock, SAVE_URL);
    expect(saved).toMatchObject({ content: GREET, summary: "Greets", description: "Greets someone.\n\n- `name`: who\n- `count`: how often" });
  });

  it("applies schema edits to the preview live and saves them with the version", async () => {
    const fetchMock = await openExisting();
    fireEvent.click(screen.getByRole("tab", { name: "Schema" }));
    const count = within(within(screen.getByTestId("schema-panel")).getByRole("group", { name: "count" }));
    fireEvent.change(count.getByLabelText("Title"), { target: { value: "How many" } });
    fireEvent.change(count.getByLabelText("Minimum"), { target: { value: "1" } });
    fireEvent.change(count.getByLabelText("Default"), { target: { value: "5" } });
    fireEvent.click(count.getByRole("button", { name: "Move count up" }));
    fireEvent.change(screen.getByLabelText("Form title"), { target: { value: "Greeter" } });

    fireEvent.click(screen.getByRole("tab", { name: "Form preview" }));
    const labels = [...screen.getByTestId("form-preview").querySelectorAll("label")].map((l) => l.textContent);
    expect(labels).toEqual(["How many", "name"]);
    expect(preview().getByLabelText("How many")).toHaveValue(5);
    expect(preview().getByRole("heading", { name: "Greeter" })).toBeInTheDocument();
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();

    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText(/^Saved version/);
    const [saved] = await bodies(fetchMock, SAVE_URL);
    expect(saved!.schema).toMatchObject({
      title: "Greeter",
      order: ["count", "name"],
      properties: { count: { type: "integer", title: "How many", minimum: 1, default: 5 } },
    });
    expect(Object.keys((saved!.schema as { properties: object }).properties)).toEqual(["count", "name"]);
  });

  it("opens a saved script with its form edits, derived against a fresh reading of the code", async () => {
    const saved = {
      type: "object",
      title: "Greeter",
      properties: { count: { type: "integer", default: 3, title: "How many" }, name: { type: "string" } },
      required: ["name"],
      order: ["count", "name"],
    };
    mockEditorApi({ "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse({ ...scriptWith(saved) }) });
    renderWithProviders(<App />, { route: "/w/demo/scripts/edit/u/ada/greet" });
    await ready("How many");
    expect(preview().getByLabelText("How many")).toHaveValue(3);
    // A script sent without a description opens with an empty one, not as a change.
    expect(description()).toHaveValue("");
    fireEvent.click(screen.getByRole("tab", { name: "Schema" }));
    expect(screen.getByLabelText("Form title")).toHaveValue("Greeter");
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();
  });

  it("opens an older version's code as unsaved changes on top of the latest", async () => {
    const old = "def main(name: str):\n    return name\n";
    mockEditorApi({
      "GET /api/w/demo/scripts/h/b2b2b2b2b2b2b2b2": () =>
        jsonResponse(scriptWith({ type: "object", properties: { name: { type: "string" } } }, old)),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/edit/u/ada/greet?version=b2b2b2b2b2b2b2b2" });
    await ready("name");
    expect(code()).toHaveValue(old);
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Restore draft/ })).not.toBeInTheDocument();
  });

  it("saves, then runs the new version with the preview's values and opens the job", async () => {
    const fetchMock = await openExisting({
      "POST /api/w/demo/jobs/run/p/u/ada/greet": () => jsonResponse({ id: JOB }, 201),
      [`GET /api/w/demo/jobs/${JOB}`]: () => jsonResponse(jobDetail({ id: JOB, logs: "hello\n" })),
    });
    fireEvent.change(code(), { target: { value: GREET.replace("return name", "return name * count") } });
    fireEvent.change(preview().getByLabelText("name"), { target: { value: "Ada" } });
    // Ctrl+Enter in the code: Save & run.
    fireEvent.keyDown(code(), { key: "Enter", ctrlKey: true });

    expect(await screen.findByTestId("job-logs")).toHaveTextContent("hello");
    expect(await bodies(fetchMock, SAVE_URL)).toHaveLength(1);
    expect(await bodies(fetchMock, "POST /api/w/demo/jobs/run/p/u/ada/greet")).toEqual([{ name: "Ada", count: 3 }]);
  });

  it("does not run while the preview form is incomplete", async () => {
    const fetchMock = await openExisting();
    fireEvent.click(screen.getByRole("button", { name: "Save & run" }));
    expect(await screen.findByTestId("save-error")).toHaveTextContent("Fill in the form preview");
    expect(preview().getByLabelText("name")).toHaveAttribute("aria-invalid", "true");
    expect(requests(fetchMock, "POST")).toHaveLength(
      requests(fetchMock, "POST", "/api/w/demo/scripts/infer_schema").length,
    );
  });

  it("only lets people with write access edit", async () => {
    mockEditorApi({
      "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse({ ...scriptWith({ type: "object" }), access: "view" }),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/edit/u/ada/greet" });
    expect(await screen.findByText(/but not change it/)).toBeInTheDocument();
    expect(screen.queryByTestId("code-editor")).not.toBeInTheDocument();
  });
});

function scriptWith(schema: object, content = GREET) {
  return {
    path: "u/ada/greet",
    language: "python3",
    hash: "a1b2c3d4e5f60718",
    summary: "Greets",
    content,
    schema,
    settings: {},
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    access: "owner",
  };
}
