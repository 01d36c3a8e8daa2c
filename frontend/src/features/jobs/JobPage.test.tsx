import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jobDetail, jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";

const ID = "7b1f2c1e-0000-4000-8000-000000000001";
const ROUTE = `/w/demo/runs/${ID}`;
const JOB_URL = `GET /api/w/demo/jobs/${ID}`;

/** A WebSocket stand-in the test plays the server of (jsdom's would dial a real host). */
class FakeWebSocket {
  static created: FakeWebSocket[] = [];
  readonly url: string;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  closed = false;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.created.push(this);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.({ code: 1000 });
  }

  serverOpens() {
    this.onopen?.();
  }

  serverSends(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  serverCloses(code: number) {
    this.closed = true;
    this.onclose?.({ code });
  }
}

function stubWebSocket() {
  FakeWebSocket.created = [];
  vi.stubGlobal("WebSocket", FakeWebSocket);
  const at = (n: number) => {
    const socket = FakeWebSocket.created[n];
    if (socket === undefined) throw new Error(`only ${FakeWebSocket.created.length} socket(s) opened`);
    return socket;
  };
  return {
    get all() {
      return FakeWebSocket.created;
    },
    at,
    only: () => {
      expect(FakeWebSocket.created).toHaveLength(1);
      return at(0);
    },
  };
}

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
