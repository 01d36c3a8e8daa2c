import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { formatDateTime } from "../../lib/format";
import { stubWebSocket } from "../../test/fakeWebSocket";
import { jobDetail, jsonResponse, ME, mockApi, renderWithProviders, requests } from "../../test/utils";

const ID = "7b1f2c1e-0000-4000-8000-000000000001";
const ROUTE = `/w/demo/runs/${ID}`;
const JOB_URL = `GET /api/w/demo/jobs/${ID}`;

function jobRequests(fetchMock: ReturnType<typeof mockApi>): number {
  return fetchMock.mock.calls.filter(([input]) => input instanceof Request && input.url.endsWith(ID)).length;
}

describe("JobPage", () => {
  it("shows a successful job's metadata, args, result and logs", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () =>
        jsonResponse(
          jobDetail({
            args: { name: "world", times: 2 },
            result: { greeting: "hi world", count: 2 },
            logs: "starting\nhi world\nhi world\n",
            log_size: 26,
          }),
        ),
    });
    renderWithProviders(<App />, { route: ROUTE });

    expect(await screen.findByText("Success")).toHaveClass("badge-success");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run 7b1f2c1e");
    expect(screen.getByRole("link", { name: "u/ada/greet" })).toHaveAttribute("href", "/w/demo/scripts/p/u/ada/greet");
    expect(screen.getByText("a1b2c3d4e5f60718")).toBeInTheDocument();
    expect(screen.getByTestId("job-duration")).toHaveTextContent("1.2 s");

    expect(screen.getByTestId("job-args").textContent).toBe('{\n  "name": "world",\n  "times": 2\n}');
    expect(screen.getByTestId("job-result").textContent).toBe('{\n  "greeting": "hi world",\n  "count": 2\n}');
    expect(screen.queryByTestId("job-error")).not.toBeInTheDocument();

    const logs = screen.getByTestId("job-logs");
    expect(logs.tagName).toBe("PRE");
    expect(logs).toHaveClass("code", "logs");
    expect(logs.textContent).toBe("starting\nhi world\nhi world\n");
  });

  it("shows a failed job's error name, message and traceback", async () => {
    const traceback =
      'Traceback (most recent call last):\n  File "main.py", line 2, in main\n    raise ValueError("boom")\nValueError: boom\n';
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () =>
        jsonResponse(
          jobDetail({
            status: "failure",
            args: { name: "world" },
            result: null,
            error: { name: "ValueError", message: "boom", traceback },
            logs: "starting\n",
          }),
        ),
    });
    renderWithProviders(<App />, { route: ROUTE });

    expect(await screen.findByText("Failure")).toHaveClass("badge-failure");
    const error = screen.getByTestId("job-error");
    expect(error.tagName).toBe("PRE");
    expect(error.textContent).toBe(`ValueError: boom\n\n${traceback.trimEnd()}`);
    expect(screen.queryByTestId("job-result")).not.toBeInTheDocument();
    expect(screen.getByTestId("job-logs")).toHaveTextContent("starting");
  });

  it("streams a running job's log over the websocket, then refetches the job when it is done", async () => {
    const sockets = stubWebSocket();
    const states = [
      jobDetail({ status: "running", finished_at: null, duration_ms: null, logs: "step 1\n" }),
      jobDetail({ status: "success", result: 42, logs: "step 1\nstep 2 ☕\n" }),
    ];
    let served = 0;
    const fetchMock = mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () => jsonResponse(states[Math.min(served++, states.length - 1)]),
    });
    renderWithProviders(<App />, { route: ROUTE });

    expect(await screen.findByText("Running")).toHaveClass("badge-running");
    expect(screen.getByTestId("job-logs").textContent).toBe("step 1\n");
    expect(screen.getByTestId("job-duration")).toHaveTextContent("—");

    // Same origin, ws: under http, from the byte after what the page already shows.
    const socket = await waitFor(() => sockets.only());
    expect(socket.url).toBe(`ws://${window.location.host}/ws/w/demo/jobs/${ID}/logs?from=7`);
    act(() => socket.serverOpens());
    expect(await screen.findByTestId("log-stream")).toHaveTextContent("live");

    act(() => socket.serverSends({ type: "log", offset: 0, data: "step 1\n" })); // already shown
    act(() => socket.serverSends({ type: "log", offset: 7, data: "step 2 ☕\n" }));
    expect(screen.getByTestId("job-logs").textContent).toBe("step 1\nstep 2 ☕\n");
    expect(jobRequests(fetchMock)).toBe(1); // the log came without asking for the job again

    act(() => socket.serverSends({ type: "done", status: "success", log_size: 18 }));
    expect(await screen.findByText("Success")).toBeInTheDocument();
    expect(screen.getByTestId("job-result").textContent).toBe("42");
    expect(screen.getByTestId("job-logs").textContent).toBe("step 1\nstep 2 ☕\n");
    expect(jobRequests(fetchMock)).toBe(2);
    expect(screen.queryByTestId("log-stream")).not.toBeInTheDocument();

    // Terminal: no more polling, and no new socket.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(jobRequests(fetchMock)).toBe(2);
    expect(sockets.all).toHaveLength(1);
  });

  it("reconnects from the last byte it has when the socket drops", async () => {
    const sockets = stubWebSocket();
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () => jsonResponse(jobDetail({ status: "running", finished_at: null, logs: "" })),
    });
    renderWithProviders(<App />, { route: ROUTE });

    const first = await waitFor(() => sockets.only());
    expect(first.url).toMatch(/\?from=0$/);
    act(() => first.serverOpens());
    act(() => first.serverSends({ type: "log", offset: 0, data: "naïve\n" }));
    act(() => first.serverCloses(1006));

    const second = await waitFor(() => sockets.at(1), { timeout: 2500 });
    expect(second.url).toMatch(/\?from=7$/);
    act(() => second.serverOpens());
    act(() => second.serverSends({ type: "log", offset: 7, data: "again\n" }));
    expect(screen.getByTestId("job-logs").textContent).toBe("naïve\nagain\n");
  });

  it("polls the logs endpoint when no websocket can be opened", async () => {
    const sockets = stubWebSocket();
    const pages = [
      { offset: 7, data: "step 2\n", next: 14, done: false, status: "running" },
      { offset: 14, data: "step 3\n", next: 21, done: true, status: "success" },
    ];
    let page = 0;
    let job = 0;
    const fetchMock = mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () =>
        jsonResponse(
          job++ === 0
            ? jobDetail({ status: "running", finished_at: null, logs: "step 1\n" })
            : jobDetail({ status: "success", result: 1, logs: "step 1\nstep 2\nstep 3\n" }),
        ),
      [`${JOB_URL}/logs`]: () => jsonResponse(pages[Math.min(page++, pages.length - 1)]),
    });
    renderWithProviders(<App />, { route: ROUTE });

    const socket = await waitFor(() => sockets.only());
    act(() => socket.serverCloses(1006)); // never opened: a proxy without websockets, say

    await waitFor(() => expect(screen.getByTestId("job-logs").textContent).toBe("step 1\nstep 2\n"));
    expect(screen.getByTestId("log-stream")).toHaveTextContent("refreshing");
    expect(await screen.findByText("Success", undefined, { timeout: 2500 })).toBeInTheDocument();
    expect(screen.getByTestId("job-logs").textContent).toBe("step 1\nstep 2\nstep 3\n");
    const asked = fetchMock.mock.calls
      .map(([input]) => (input instanceof Request ? new URL(input.url) : null))
      .filter((url) => url?.pathname.endsWith("/logs"))
      .map((url) => url?.searchParams.get("from"));
    expect(asked).toEqual(["7", "14"]);
    expect(sockets.all).toHaveLength(1);
  });

  it("shows the API message for an unknown job", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () => jsonResponse({ message: "job not found", detail: null }, 404),
    });
    renderWithProviders(<App />, { route: ROUTE });
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("job not found"));
    expect(within(screen.getByRole("alert")).getByText("HTTP 404")).toBeInTheDocument();
  });
});

describe("JobPage: engine details", () => {
  it("says why a queued job waits, and where it is in its retries", async () => {
    const next = "2030-01-02T10:05:00Z";
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () =>
        jsonResponse(
          jobDetail({
            status: "queued",
            tag: "gpu",
            trigger: "webhook",
            started_at: null,
            finished_at: null,
            duration_ms: null,
            attempt: 1,
            retries: 1,
            scheduled_for: next,
            retry: { constant: { attempts: 2, seconds: 30 } },
            error: { name: "ValueError", message: "flaky", traceback: "" },
            waiting_reason: `retry 1 of the job is scheduled for ${next}`,
            network: "internet",
            priority: 7,
            concurrency_key: "demo:u/ada/greet",
            concurrency_limit: 2,
            limits: {
              timeout_s: 300,
              cpu_s: 300,
              memory_mb: 1024,
              max_processes: 64,
              file_size_mb: 256,
              tmpfs_mb: 128,
              open_files: 256,
              log_bytes: 2097152,
            },
          }),
        ),
    });
    stubWebSocket();
    renderWithProviders(<App />, { route: ROUTE });

    expect(await screen.findByText("Queued")).toHaveClass("badge-queued");
    // The server's reason, with its timestamp in the reader's time zone.
    const waiting = screen.getByTestId("waiting-reason");
    expect(waiting).toHaveTextContent(`Waiting: retry 1 of the job is scheduled for ${formatDateTime(next)}`);
    expect(within(waiting).getByRole("time")).toHaveAttribute("dateTime", next);
    expect(screen.getByTestId("job-retries")).toHaveTextContent(`retry 1 of 2, next at ${formatDateTime(next)}`);
    expect(screen.getByText("gpu")).toHaveClass("tag");
    expect(screen.getByTestId("job-trigger")).toHaveTextContent("webhook");
    expect(screen.getByRole("heading", { name: "Error of the last attempt" })).toBeInTheDocument();
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();

    const settings = within(screen.getByTestId("job-settings"));
    expect(settings.getByText("Internet (outbound only)")).toBeInTheDocument();
    expect(settings.getByText("2 every 30 s")).toBeInTheDocument();
    expect(settings.getByText("demo:u/ada/greet")).toBeInTheDocument();
    expect(settings.getByText("7")).toBeInTheDocument();
    const limits = within(screen.getByTestId("job-limits"))
      .getAllByRole("definition")
      .map((dd) => dd.textContent);
    expect(limits).toEqual(["300 s", "300 s", "1024 MB", "64", "256 MB", "128 MB", "256", "2 MiB"]);
  });

  it("says so when no live worker serves the job's tag", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () =>
        jsonResponse(
          jobDetail({
            status: "queued",
            tag: "nowhere",
            started_at: null,
            finished_at: null,
            duration_ms: null,
            waiting_reason: "no live worker serves the tag 'nowhere': the job waits until one does",
          }),
        ),
    });
    stubWebSocket();
    renderWithProviders(<App />, { route: ROUTE });
    expect(await screen.findByTestId("waiting-reason")).toHaveTextContent(
      "no live worker serves the tag 'nowhere': the job waits until one does",
    );
    expect(screen.queryByTestId("job-retries")).not.toBeInTheDocument();
  });

  it("shows progress from the job, then live from the websocket", async () => {
    const sockets = stubWebSocket();
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () =>
        jsonResponse(jobDetail({ status: "running", progress: 30, finished_at: null, duration_ms: null })),
    });
    renderWithProviders(<App />, { route: ROUTE });

    const bar = await screen.findByRole("progressbar", { name: "Progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "30");
    expect(within(screen.getByTestId("job-progress")).getByText("30%")).toBeInTheDocument();

    const socket = await waitFor(() => sockets.only());
    act(() => socket.serverOpens());
    act(() => socket.serverSends({ type: "progress", progress: 75 }));
    expect(screen.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "75");
    expect(within(screen.getByTestId("job-progress")).getByText("75%")).toBeInTheDocument();

    // Out-of-range or malformed values are clamped or ignored.
    act(() => socket.serverSends({ type: "progress", progress: 140 }));
    expect(screen.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "100");
    act(() => socket.serverSends({ type: "progress", progress: "half" }));
    expect(screen.getByRole("progressbar", { name: "Progress" })).toHaveAttribute("aria-valuenow", "100");
  });

  it("links to the job it re-ran", async () => {
    const original = "7b1f2c1e-0000-4000-8000-0000000000ff";
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () => jsonResponse(jobDetail({ trigger: "rerun", rerun_of: original })),
    });
    renderWithProviders(<App />, { route: ROUTE });
    expect(await screen.findByTestId("job-trigger")).toHaveTextContent("rerun of 7b1f2c1e");
    expect(within(screen.getByTestId("job-trigger")).getByRole("link")).toHaveAttribute(
      "href",
      `/w/demo/runs/${original}`,
    );
  });
});

describe("JobPage: re-run", () => {
  const NEW_ID = "0f9e8d7c-0000-4000-8000-00000000000a";
  const RERUN_URL = `/api/w/demo/jobs/${ID}/rerun`;

  const VERSION_URL = "/api/w/demo/scripts/h/a1b2c3d4e5f60718";
  const VERSION = {
    path: "u/ada/greet",
    language: "python3",
    hash: "a1b2c3d4e5f60718",
    summary: "",
    content: "def main(name: str, times: int = 1): ...\n",
    schema: {
      type: "object",
      properties: { name: { type: "string" }, times: { type: "integer", default: 1 } },
      required: ["name"],
    },
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
  };

  function mockRerun(
    rerun: () => Response = () => jsonResponse({ id: NEW_ID }, 201),
    { job = {}, version = () => jsonResponse(VERSION) }: { job?: Record<string, unknown>; version?: () => Response } = {},
  ) {
    return mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [JOB_URL]: () => jsonResponse(jobDetail({ args: { name: "world", times: 2 }, result: "hi", ...job })),
      [`GET ${VERSION_URL}`]: version,
      [`GET /api/w/demo/jobs/${NEW_ID}`]: () =>
        jsonResponse(jobDetail({ id: NEW_ID, trigger: "rerun", rerun_of: ID, args: { name: "world", times: 2 } })),
      [`POST ${RERUN_URL}`]: rerun,
    });
  }

  it("re-runs with the same arguments and opens the new job", async () => {
    document.cookie = "csrftoken=tok-rerun; path=/";
    const fetchMock = mockRerun();
    renderWithProviders(<App />, { route: ROUTE });

    fireEvent.click(await screen.findByRole("button", { name: "Re-run" }));
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run 0f9e8d7c"));
    expect(await screen.findByTestId("job-trigger")).toHaveTextContent(`rerun of ${ID.slice(0, 8)}`);

    const [post] = requests(fetchMock, "POST", RERUN_URL);
    expect(post!.headers.get("X-CSRFToken")).toBe("tok-rerun");
    expect(await post!.json()).toEqual({ latest: false });
  });

  it("re-runs with edited arguments from a form of the version's schema, filled with the job's", async () => {
    const fetchMock = mockRerun();
    renderWithProviders(<App />, { route: ROUTE });

    fireEvent.click(await screen.findByRole("button", { name: "Re-run with edited arguments" }));
    const form = within(await screen.findByRole("form", { name: "Re-run with edited arguments" }));
    expect(requests(fetchMock, "GET", VERSION_URL)).toHaveLength(1);
    expect(form.getByLabelText("name")).toHaveValue("world");
    expect(form.getByLabelText("times")).toHaveValue(2);

    // A missing required argument is caught before anything is sent.
    fireEvent.change(form.getByLabelText("name"), { target: { value: "" } });
    fireEvent.click(form.getByRole("button", { name: "Re-run" }));
    expect(form.getByLabelText("name")).toHaveAccessibleDescription("Required");
    expect(requests(fetchMock, "POST")).toHaveLength(0);

    fireEvent.change(form.getByLabelText("name"), { target: { value: "Ada" } });
    fireEvent.change(form.getByLabelText("times"), { target: { value: "3" } });
    fireEvent.click(form.getByLabelText(/latest version/));
    fireEvent.click(form.getByRole("button", { name: "Re-run" }));
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run 0f9e8d7c"));
    expect(screen.queryByRole("form", { name: "Re-run with edited arguments" })).not.toBeInTheDocument();

    const [post] = requests(fetchMock, "POST", RERUN_URL);
    expect(await post!.json()).toEqual({ args: { name: "Ada", times: 3 }, latest: true });
  });

  it("re-runs with arguments edited as JSON", async () => {
    const fetchMock = mockRerun();
    renderWithProviders(<App />, { route: ROUTE });

    fireEvent.click(await screen.findByRole("button", { name: "Re-run with edited arguments" }));
    const form = within(await screen.findByRole("form", { name: "Re-run with edited arguments" }));
    fireEvent.click(form.getByRole("button", { name: "JSON" }));
    const textarea = form.getByLabelText("Arguments (JSON)");
    expect(textarea).toHaveValue('{\n  "name": "world",\n  "times": 2\n}');

    // Invalid JSON is caught before anything is sent.
    fireEvent.change(textarea, { target: { value: '{"name": ' } });
    fireEvent.click(form.getByRole("button", { name: "Re-run" }));
    expect(await form.findByRole("alert")).toHaveTextContent(/^Invalid JSON/);
    expect(requests(fetchMock, "POST")).toHaveLength(0);

    fireEvent.change(textarea, { target: { value: '{"name": "Ada", "times": 3}' } });
    fireEvent.click(form.getByRole("button", { name: "Re-run" }));
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run 0f9e8d7c"));
    const [post] = requests(fetchMock, "POST", RERUN_URL);
    expect(await post!.json()).toEqual({ args: { name: "Ada", times: 3 }, latest: false });
  });

  it("keeps the JSON editor for a flow run", async () => {
    const fetchMock = mockRerun(undefined, { job: { kind: "flow", script_path: "f/ada/pipeline" } });
    renderWithProviders(<App />, { route: ROUTE });
    fireEvent.click(await screen.findByRole("button", { name: "Re-run with edited arguments" }));
    const form = within(await screen.findByRole("form", { name: "Re-run with edited arguments" }));
    expect(form.getByLabelText("Arguments (JSON)")).toBeInTheDocument();
    expect(form.queryByRole("button", { name: "JSON" })).not.toBeInTheDocument();
    expect(requests(fetchMock, "GET", VERSION_URL)).toHaveLength(0);
  });

  it("falls back to JSON when the script's version is gone", async () => {
    mockRerun(undefined, { version: () => jsonResponse({ message: "not found" }, 404) });
    renderWithProviders(<App />, { route: ROUTE });
    fireEvent.click(await screen.findByRole("button", { name: "Re-run with edited arguments" }));
    const form = within(await screen.findByRole("form", { name: "Re-run with edited arguments" }));
    expect(form.getByLabelText("Arguments (JSON)")).toHaveValue('{\n  "name": "world",\n  "times": 2\n}');
  });

  it("keeps the edited arguments and shows the API's message when the re-run is refused", async () => {
    mockRerun(() => jsonResponse({ message: "missing required argument 'name'", detail: { field: "name" } }, 400));
    renderWithProviders(<App />, { route: ROUTE });

    fireEvent.click(await screen.findByRole("button", { name: "Re-run with edited arguments" }));
    const form = within(await screen.findByRole("form", { name: "Re-run with edited arguments" }));
    fireEvent.click(form.getByRole("button", { name: "JSON" }));
    fireEvent.change(form.getByLabelText("Arguments (JSON)"), { target: { value: "{}" } });
    fireEvent.click(form.getByRole("button", { name: "Re-run" }));

    // In the JSON editor there is no field to show it at: it shows above the button.
    expect(await form.findByRole("alert")).toHaveTextContent("missing required argument 'name'");
    expect(form.getByLabelText("Arguments (JSON)")).toHaveValue("{}");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run 7b1f2c1e");

    fireEvent.click(form.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("form", { name: "Re-run with edited arguments" })).not.toBeInTheDocument();
  });
});
