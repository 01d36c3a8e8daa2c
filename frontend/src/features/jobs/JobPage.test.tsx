import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jobDetail, jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";

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

  it("refetches every second while the job is queued or running, then stops", async () => {
    const states = [
      jobDetail({ status: "running", finished_at: null, duration_ms: null, logs: "step 1\n" }),
      jobDetail({ status: "success", result: 42, logs: "step 1\nstep 2\n" }),
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

    expect(await screen.findByText("Success", undefined, { timeout: 2500 })).toBeInTheDocument();
    expect(screen.getByTestId("job-logs").textContent).toBe("step 1\nstep 2\n");
    expect(screen.getByTestId("job-result").textContent).toBe("42");
    expect(jobRequests(fetchMock)).toBe(2);

    // Terminal: no more polling.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(jobRequests(fetchMock)).toBe(2);
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
