import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jobDetail, jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";

const SCRIPT = {
  path: "u/ada/greet",
  language: "python3",
  hash: "a1b2c3d4e5f60718",
  summary: "Say hello",
  content: 'def main(name: str, times: int = 1, loud: bool = False):\n    return f"hi {name}" * times\n',
  schema: {
    type: "object",
    properties: {
      name: { type: "string" },
      times: { type: "integer", default: 1 },
      loud: { type: "boolean", default: false },
    },
    required: ["name"],
  },
  created_by: "ada@example.com",
  created_at: "2025-01-02T10:00:00Z",
};

const NEW_JOB = "0f9e8d7c-0000-4000-8000-00000000000a";
const RUN_URL = "POST /api/w/demo/jobs/run/p/u/ada/greet";

function posts(fetchMock: ReturnType<typeof mockApi>): Request[] {
  return fetchMock.mock.calls
    .map(([input]) => input)
    .filter((input): input is Request => input instanceof Request && input.method === "POST");
}

async function openScript(routes: Record<string, () => Response> = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse(SCRIPT),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });
  const form = within(await screen.findByRole("form", { name: "Run script" }));
  return { fetchMock, form };
}

describe("Run section", () => {
  it("shows a field per argument, prefilled with the schema's defaults", async () => {
    const { form } = await openScript();
    expect(form.getByLabelText("name")).toHaveValue("");
    expect(form.getByLabelText("name")).toHaveAttribute("aria-required", "true");
    expect(form.getByLabelText("times")).toHaveValue(1);
    expect(form.getByRole("switch", { name: "loud" })).not.toBeChecked();
    expect(form.getByRole("button", { name: "Run" })).toBeEnabled();
  });

  it("prefills the JSON editor with the schema's defaults", async () => {
    const { form } = await openScript();
    fireEvent.click(form.getByRole("button", { name: "JSON" }));
    expect(form.getByLabelText("Arguments (JSON)")).toHaveValue('{\n  "times": 1,\n  "loud": false\n}');
  });

  it("reports a missing required argument locally without calling the API", async () => {
    const { fetchMock, form } = await openScript();
    fireEvent.click(form.getByRole("button", { name: "Run" }));
    expect(form.getByLabelText("name")).toHaveAttribute("aria-invalid", "true");
    expect(form.getByLabelText("name")).toHaveAccessibleDescription("Required");
    expect(posts(fetchMock)).toHaveLength(0);
  });

  it("reports invalid JSON locally without calling the API", async () => {
    const { fetchMock, form } = await openScript();
    fireEvent.click(form.getByRole("button", { name: "JSON" }));
    const textarea = form.getByLabelText("Arguments (JSON)");

    fireEvent.change(textarea, { target: { value: '{"name": ' } });
    fireEvent.click(form.getByRole("button", { name: "Run" }));
    expect(await form.findByRole("alert")).toHaveTextContent(/^Invalid JSON/);

    fireEvent.change(textarea, { target: { value: '["world"]' } });
    expect(form.queryByRole("alert")).not.toBeInTheDocument();
    fireEvent.click(form.getByRole("button", { name: "Run" }));
    expect(await form.findByRole("alert")).toHaveTextContent("must be a JSON object");

    expect(posts(fetchMock)).toHaveLength(0);
  });

  it("runs the script with the form's arguments and opens the new job", async () => {
    document.cookie = "csrftoken=tok-run; path=/";
    const { fetchMock, form } = await openScript({
      [RUN_URL]: () => jsonResponse({ id: NEW_JOB }, 201),
      [`GET /api/w/demo/jobs/${NEW_JOB}`]: () =>
        jsonResponse(jobDetail({ id: NEW_JOB, args: { name: "world" }, result: "hi world", logs: "hello\n" })),
    });

    fireEvent.change(form.getByLabelText("name"), { target: { value: "world" } });
    fireEvent.change(form.getByLabelText("times"), { target: { value: "2" } });
    fireEvent.click(form.getByRole("switch", { name: "loud" }));
    fireEvent.click(form.getByRole("button", { name: "Run" }));

    expect(await screen.findByTestId("job-logs")).toHaveTextContent("hello");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run 0f9e8d7c");
    expect(screen.queryByRole("form", { name: "Run script" })).not.toBeInTheDocument();

    const [run] = posts(fetchMock);
    expect(run).toBeDefined();
    expect(new URL(run!.url).pathname).toBe("/api/w/demo/jobs/run/p/u/ada/greet");
    expect(run!.headers.get("X-CSRFToken")).toBe("tok-run");
    expect(await run!.json()).toEqual({ name: "world", times: 2, loud: true });
  });

  it("runs the script with arguments typed as JSON", async () => {
    const { fetchMock, form } = await openScript({
      [RUN_URL]: () => jsonResponse({ id: NEW_JOB }, 201),
      [`GET /api/w/demo/jobs/${NEW_JOB}`]: () => jsonResponse(jobDetail({ id: NEW_JOB })),
    });
    fireEvent.click(form.getByRole("button", { name: "JSON" }));
    fireEvent.change(form.getByLabelText("Arguments (JSON)"), { target: { value: '{"name": "world"}' } });
    fireEvent.keyDown(form.getByLabelText("Arguments (JSON)"), { key: "Enter", metaKey: true });

    expect(await screen.findByTestId("job-logs")).toBeInTheDocument();
    expect(await posts(fetchMock)[0]!.json()).toEqual({ name: "world" });
  });

  it("runs from the keyboard: Ctrl/Cmd+Enter in a form field submits", async () => {
    const { fetchMock, form } = await openScript({
      [RUN_URL]: () => jsonResponse({ id: NEW_JOB }, 201),
      [`GET /api/w/demo/jobs/${NEW_JOB}`]: () => jsonResponse(jobDetail({ id: NEW_JOB })),
    });
    fireEvent.change(form.getByLabelText("name"), { target: { value: "world" } });
    fireEvent.keyDown(form.getByLabelText("name"), { key: "Enter", ctrlKey: true });

    expect(await screen.findByTestId("job-logs")).toBeInTheDocument();
    expect(await posts(fetchMock)[0]!.json()).toEqual({ name: "world", times: 1, loud: false });
  });

  it("shows the API's refusal at the argument it names", async () => {
    const { form } = await openScript({
      [RUN_URL]: () =>
        jsonResponse(
          { message: "invalid argument 'times': 2 is greater than the maximum of 1", detail: { field: "times" } },
          400,
        ),
    });

    fireEvent.change(form.getByLabelText("name"), { target: { value: "world" } });
    fireEvent.change(form.getByLabelText("times"), { target: { value: "2" } });
    fireEvent.click(form.getByRole("button", { name: "Run" }));
    const times = form.getByLabelText("times");
    await screen.findByText(/greater than the maximum/);
    expect(times).toHaveAttribute("aria-invalid", "true");
    expect(times).toHaveAccessibleDescription("invalid argument 'times': 2 is greater than the maximum of 1");

    // Editing the arguments clears it.
    fireEvent.change(times, { target: { value: "1" } });
    await waitFor(() => expect(times).not.toHaveAttribute("aria-invalid"));
  });

  it("shows the API's message when the run is rejected as a whole", async () => {
    const { form } = await openScript({
      [RUN_URL]: () => jsonResponse({ message: "arguments must be a JSON object", detail: { field: null } }, 400),
    });

    fireEvent.change(form.getByLabelText("name"), { target: { value: "world" } });
    fireEvent.click(form.getByRole("button", { name: "Run" }));
    expect(await form.findByRole("alert")).toHaveTextContent("arguments must be a JSON object");
    expect(form.getByLabelText("name")).toHaveValue("world");
  });
});
