import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { worker, workerJob, workersList } from "./testData";

const WORKERS_PATH = "/api/workers";
const JOB_A = "7b1f2c1e-0000-4000-8000-00000000000a";
const JOB_B = "7b1f2c1e-0000-4000-8000-00000000000b";

const BUSY = worker({
  id: "alpha:101",
  hostname: "alpha",
  tags: ["python3", "gpu"],
  slots: 4,
  busy: 2,
  version: "0.9.1",
  jobs: [
    workerJob({ id: JOB_A, path: "u/ada/greet", language: "python3" }),
    workerJob({ id: JOB_B, workspace: "ops", path: "f/ops/backup", language: "bash", started_at: null }),
  ],
});
const IDLE = worker({ id: "beta:202", hostname: "beta", tags: ["bash"], slots: 2, busy: 0, version: "0.9.0" });
const GONE = worker({ id: "gamma:303", hostname: "gamma", alive: false, heartbeat_at: "2025-01-01T10:00:00Z" });

function open(routes: Record<string, RouteHandler> = {}, route = "/w/demo/workers") {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    [`GET ${WORKERS_PATH}`]: () => jsonResponse(workersList({ workers: [IDLE, BUSY] })),
    ...routes,
  });
  renderWithProviders(<App />, { route });
  return fetchMock;
}

/** The include_gone of every `GET /api/workers` the page made, in order. */
function includeGone(fetchMock: ReturnType<typeof mockApi>): (string | null)[] {
  return requests(fetchMock, "GET", WORKERS_PATH).map((r) => new URL(r.url).searchParams.get("include_gone"));
}

async function rows() {
  return within(await screen.findByTestId("workers-table")).getAllByRole("row").slice(1);
}

describe("Workers page", () => {
  it("is linked from the sidebar and lists workers with tags, busy slots, version and their jobs", async () => {
    const fetchMock = open();
    const nav = await screen.findByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link").map((link) => link.textContent);
    expect(links.indexOf("Workers")).toBe(links.indexOf("Resources") + 1);
    expect(within(nav).getByRole("link", { name: "Workers" })).toHaveAttribute("href", "/w/demo/workers");
    expect(await screen.findByRole("heading", { name: "Workers" })).toBeInTheDocument();

    const [alpha, beta] = await rows();
    const headers = within(screen.getByTestId("workers-table"))
      .getAllByRole("columnheader")
      .map((th) => th.textContent);
    expect(headers).toEqual(["Worker", "Status", "Tags", "Busy", "Version", "Started", "Last heartbeat", "Current jobs"]);
    expect(screen.getByTestId("workers-summary")).toHaveTextContent("2 live workers · 2 / 6 slots busy");

    // Sorted by hostname: alpha first although the API listed it second.
    const cells = within(alpha!).getAllByRole("cell");
    expect(cells[0]).toHaveTextContent("alphaalpha:101");
    expect(within(cells[1]!).getByText("live")).toHaveClass("badge-success");
    expect(within(cells[2]!).getByText("python3")).toHaveClass("tag");
    expect(within(cells[2]!).getByText("gpu")).toHaveClass("tag");
    expect(within(cells[3]!).getByTestId("worker-slots")).toHaveTextContent("2 / 4");
    expect(within(cells[3]!).getByRole("progressbar", { name: "Busy slots of alpha:101" })).toHaveAttribute(
      "aria-valuenow",
      "50",
    );
    expect(cells[4]).toHaveTextContent("0.9.1");
    expect(within(cells[5]!).getByText(/ago/)).toHaveAttribute("dateTime", "2025-01-02T09:00:00Z");
    expect(within(cells[6]!).getByText(/ago/)).toHaveAttribute("dateTime", "2025-01-02T10:00:00Z");

    const jobs = cells[7]!;
    expect(within(jobs).getByRole("link", { name: "u/ada/greet" })).toHaveAttribute("href", `/w/demo/runs/${JOB_A}`);
    expect(within(jobs).getByRole("link", { name: "f/ops/backup" })).toHaveAttribute("href", `/w/ops/runs/${JOB_B}`);
    const greet = jobs.querySelector(`[data-job-id="${JOB_A}"]`);
    const backup = jobs.querySelector(`[data-job-id="${JOB_B}"]`);
    expect(greet).toHaveTextContent("python3");
    expect(within(greet as HTMLElement).getByText(/ago/)).toHaveAttribute("dateTime", "2025-01-02T10:00:01Z");
    expect(backup).toHaveTextContent("bash");
    expect(backup).toHaveTextContent("starting · in ops");

    const idle = within(beta!).getAllByRole("cell");
    expect(idle[3]).toHaveTextContent("0 / 2");
    expect(idle[7]).toHaveTextContent("idle");

    expect(includeGone(fetchMock)).toEqual(["false"]);
    expect(screen.queryByTestId("unserved-tags")).not.toBeInTheDocument();
  });

  it("warns about tags no live worker serves", async () => {
    open({
      [`GET ${WORKERS_PATH}`]: () =>
        jsonResponse(workersList({ configured_tags: ["python3", "gpu", "arm"], unserved_tags: ["gpu", "arm"] })),
    });
    expect(await screen.findByTestId("unserved-tags")).toHaveTextContent(
      "No live worker serves tag(s): gpu, arm — jobs with these tags wait.",
    );
  });

  it("counts the jobs it runs in workspaces the viewer is not in", async () => {
    open({
      [`GET ${WORKERS_PATH}`]: () =>
        jsonResponse(
          workersList({
            workers: [
              worker({ id: "a:1", hostname: "a", busy: 3, jobs: [workerJob()], hidden_jobs: 2 }),
              worker({ id: "b:2", hostname: "b", busy: 1, hidden_jobs: 1 }),
            ],
          }),
        ),
    });
    const [a, b] = await rows();
    expect(within(a!).getByText("and 2 more in other workspaces")).toBeInTheDocument();
    expect(within(b!).getByText("1 running in other workspaces")).toBeInTheDocument();
    expect(b).not.toHaveTextContent("idle");
  });

  it("says how to start a worker when none is live", async () => {
    open({ [`GET ${WORKERS_PATH}`]: () => jsonResponse(workersList({ workers: [] })) });
    expect(await screen.findByRole("heading", { name: "No live worker" })).toBeInTheDocument();
    expect(screen.getByText(/Start one with/)).toHaveTextContent("Start one with kiln worker (or kiln up).");
    expect(screen.queryByTestId("workers-table")).not.toBeInTheDocument();
  });

  it("lists stopped workers as gone once asked to", async () => {
    const fetchMock = open({
      [`GET ${WORKERS_PATH}`]: (request) =>
        jsonResponse(
          workersList({
            workers: new URL(request.url).searchParams.get("include_gone") === "true" ? [IDLE, GONE] : [IDLE],
          }),
        ),
    });
    expect(await rows()).toHaveLength(1);
    const toggle = screen.getByRole("switch", { name: "Show stopped workers" });
    expect(toggle).not.toBeChecked();

    fireEvent.click(toggle);

    await waitFor(async () => expect(await rows()).toHaveLength(2));
    expect(toggle).toBeChecked();
    expect(includeGone(fetchMock)).toEqual(["false", "true"]);
    const [, gamma] = await rows();
    expect(gamma).toHaveAttribute("data-worker", "gamma:303");
    expect(within(gamma!).getByText("gone")).toHaveClass("badge-canceled");
    expect(screen.getByTestId("workers-summary")).toHaveTextContent("1 live worker · 0 / 2 slots busy · 1 stopped");
  });

  it("marks a worker that got SIGTERM as stopping", async () => {
    open({
      [`GET ${WORKERS_PATH}`]: () =>
        jsonResponse(workersList({ workers: [worker({ stopping: true, busy: 1, jobs: [workerJob()] })] })),
    });
    const [row] = await rows();
    expect(within(row!).getByText("stopping")).toHaveClass("badge-timeout");
    expect(within(row!).getByText("u/ada/greet")).toBeInTheDocument(); // its running job may still finish
  });

  it("opens with stopped workers shown when the URL says so", async () => {
    const fetchMock = open({}, "/w/demo/workers?stopped=1");
    await rows();
    expect(screen.getByRole("switch", { name: "Show stopped workers" })).toBeChecked();
    expect(includeGone(fetchMock)).toEqual(["true"]);
  });

  it("shows the API's error with a retry", async () => {
    const fetchMock = open({
      [`GET ${WORKERS_PATH}`]: () => jsonResponse({ message: "the broker is unreachable", detail: null }, 503),
    });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("the broker is unreachable");
    expect(alert).toHaveTextContent("HTTP 503");
    fireEvent.click(within(alert).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(requests(fetchMock, "GET", WORKERS_PATH)).toHaveLength(2));
  });

  it("shows a placeholder while loading", async () => {
    open({ [`GET ${WORKERS_PATH}`]: () => new Promise<Response>(() => {}) });
    expect(await screen.findByText("Loading workers…")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Workers" })).toBeInTheDocument();
  });

  it("asks again every heartbeat", async () => {
    const fetchMock = open({
      [`GET ${WORKERS_PATH}`]: () => jsonResponse(workersList({ heartbeat_seconds: 1 })),
    });
    await rows();
    await waitFor(() => expect(requests(fetchMock, "GET", WORKERS_PATH).length).toBeGreaterThan(1), {
      timeout: 3000,
    });
  });
});
