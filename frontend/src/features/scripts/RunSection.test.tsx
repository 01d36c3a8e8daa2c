import { fireEvent, screen } from "@testing-library/react";
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
  const textarea = await screen.findByLabelText("Arguments (JSON)");
  return { fetchMock, textarea };
}

describe("Run section", () => {
  it("prefills the arguments with the schema's defaults", async () => {
    const { textarea } = await openScript();
    expect(textarea).toHaveValue('{\n  "times": 1,\n  "loud": false\n}');
    expect(screen.getByRole("button", { name: "Run" })).toBeEnabled();
  });

  it("reports invalid JSON locally without calling the API", async () => {
    const { fetchMock, textarea } = await openScript();

    fireEvent.change(textarea, { target: { value: '{"name": ' } });
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/^Invalid JSON/);

    fireEvent.change(textarea, { target: { value: '["world"]' } });
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("must be a JSON object");

    expect(posts(fetchMock)).toHaveLength(0);
  });

  it("runs the script with the parsed arguments and opens the new job", async () => {
    document.cookie = "csrftoken=tok-run; path=/";
    const { fetchMock, textarea } = await openScript({
      [RUN_URL]: () => jsonResponse({ id: NEW_JOB }, 201),
      [`GET /api/w/demo/jobs/${NEW_JOB}`]: () =>
        jsonResponse(jobDetail({ id: NEW_JOB, args: { name: "world" }, result: "hi world", logs: "hello\n" })),
    });

    fireEvent.change(textarea, { target: { value: '{"name": "world"}' } });
    fireEvent.click(screen.getByRole("button", { name: "Run" }));

    expect(await screen.findByTestId("job-logs")).toHaveTextContent("hello");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run 0f9e8d7c");
    expect(screen.queryByLabelText("Arguments (JSON)")).not.toBeInTheDocument();

    const [run] = posts(fetchMock);
    expect(run).toBeDefined();
    expect(new URL(run!.url).pathname).toBe("/api/w/demo/jobs/run/p/u/ada/greet");
    expect(run!.headers.get("X-CSRFToken")).toBe("tok-run");
    expect(await run!.json()).toEqual({ name: "world" });
  });

  it("shows the API's message when the run is rejected", async () => {
    const { textarea } = await openScript({
      [RUN_URL]: () =>
        jsonResponse({ message: "missing required argument: name", detail: { missing: ["name"] } }, 400),
    });

    fireEvent.change(textarea, { target: { value: "{}" } });
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("missing required argument: name");
    expect(screen.getByLabelText("Arguments (JSON)")).toBeInTheDocument();
  });
});
