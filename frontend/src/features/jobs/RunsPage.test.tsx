import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { useLocation } from "react-router";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jobSummary, jsonResponse, ME, mockApi, renderWithProviders, requests } from "../../test/utils";

const JOBS_PATH = "/api/w/demo/jobs";
const id = (n: number) => `7b1f2c1e-0000-4000-8000-${String(n).padStart(12, "0")}`;

const JOBS = [
  jobSummary({ id: id(1), status: "success", duration_ms: 1234 }),
  jobSummary({
    id: id(2),
    status: "queued",
    tag: "gpu",
    trigger: "webhook",
    started_at: null,
    finished_at: null,
    duration_ms: null,
    waiting_reason: "no live worker serves the tag 'gpu': the job waits until one does",
  }),
  jobSummary({
    id: id(3),
    status: "running",
    trigger: "rerun",
    progress: 40,
    finished_at: null,
    duration_ms: null,
  }),
];

/** Shows the router's query string, so tests can read the URL the page keeps its filters in. */
function LocationProbe() {
  return <output data-testid="location">{useLocation().search}</output>;
}

function render(route: string) {
  renderWithProviders(
    <>
      <App />
      <LocationProbe />
    </>,
    { route },
  );
}

function search(): URLSearchParams {
  return new URLSearchParams(screen.getByTestId("location").textContent ?? "");
}

/** The query of every `GET /jobs` the page made, in order. */
function listQueries(fetchMock: ReturnType<typeof mockApi>): URLSearchParams[] {
  return requests(fetchMock, "GET", JOBS_PATH).map((r) => new URL(r.url).searchParams);
}

function lastQuery(fetchMock: ReturnType<typeof mockApi>): Record<string, string> {
  const all = listQueries(fetchMock);
  return Object.fromEntries(all[all.length - 1] ?? []);
}

async function rows() {
  return within(await screen.findByTestId("runs-table")).getAllByRole("row").slice(1);
}

describe("RunsPage", () => {
  it("lists jobs with status, tag, trigger, progress and why a queued job waits", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOBS_PATH}`]: () => jsonResponse({ items: JOBS, next_cursor: null }),
    });
    render("/w/demo/runs");

    expect(await screen.findByRole("heading", { name: "Runs" })).toBeInTheDocument();
    const [done, queued, running] = await rows();
    const headers = within(screen.getByTestId("runs-table"))
      .getAllByRole("columnheader")
      .map((th) => th.textContent);
    expect(headers).toEqual(["Status", "Script", "Tag", "Trigger", "Created", "Duration"]);

    expect(within(done!).getByText("Success")).toHaveClass("badge-success");
    expect(within(done!).getByText("1.2 s")).toBeInTheDocument();
    expect(within(done!).getByText("python3")).toHaveClass("tag");
    expect(within(done!).getByText("manual")).toBeInTheDocument();
    expect(within(done!).queryByRole("progressbar")).not.toBeInTheDocument();
    expect(within(done!).queryByTestId("waiting-reason")).not.toBeInTheDocument();

    // A job whose tag no live worker serves stays queued, and says so.
    expect(within(queued!).getByText("Queued")).toHaveClass("badge-queued");
    expect(within(queued!).getByText("gpu")).toHaveClass("tag");
    expect(within(queued!).getByText("webhook")).toBeInTheDocument();
    expect(within(queued!).getByTestId("waiting-reason")).toHaveTextContent(
      "no live worker serves the tag 'gpu': the job waits until one does",
    );

    const bar = within(running!).getByRole("progressbar");
    expect(bar).toHaveAttribute("aria-valuenow", "40");
    expect(within(running!).getByText("40%")).toBeInTheDocument();
    expect(within(running!).getByText("rerun")).toBeInTheDocument();

    // The created time opens the job's page.
    const created = within(done!).getByRole("time").closest("a");
    expect(created).toHaveAttribute("href", `/w/demo/runs/${id(1)}`);
    expect(screen.getByTestId("runs-count")).toHaveTextContent("3 runs");
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("tags a flow run, whose path has no script page to link to", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOBS_PATH}`]: () =>
        jsonResponse({
          items: [jobSummary({ id: id(4), kind: "flow", script_path: "f/ops/digest", tag: "flow" }), JOBS[0]],
          next_cursor: null,
        }),
    });
    render("/w/demo/runs");

    const [flow, script] = await rows();
    const path = within(flow!).getByText("f/ops/digest");
    expect(path.closest("a")).toBeNull();
    expect(path.nextElementSibling).toHaveTextContent("flow");
    expect(path.nextElementSibling).toHaveClass("tag");
    expect(within(script!).getByRole("link", { name: "u/ada/greet" })).toBeInTheDocument();
    expect(within(script!).queryByText("flow")).not.toBeInTheDocument();
  });

  it("reads its filters from the URL, shows them, and sends them to the API", async () => {
    const fetchMock = mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOBS_PATH}`]: () => jsonResponse({ items: [JOBS[1]], next_cursor: null }),
    });
    render(
      "/w/demo/runs?status=running,queued&path_prefix=f/billing/&trigger=webhook&tag=gpu" +
        "&created_after=2025-01-01T00:00:00Z&created_before=2025-01-31T00:00:00Z",
    );

    await rows();
    expect(lastQuery(fetchMock)).toEqual({
      status: "queued,running",
      path_prefix: "f/billing/",
      trigger: "webhook",
      tag: "gpu",
      created_after: "2025-01-01T00:00:00.000Z",
      created_before: "2025-01-31T00:00:00.000Z",
      limit: "50",
    });

    const statuses = within(screen.getByRole("group", { name: "Status" }));
    expect(statuses.getByRole("button", { name: "Queued" })).toHaveAttribute("aria-pressed", "true");
    expect(statuses.getByRole("button", { name: "Running" })).toHaveAttribute("aria-pressed", "true");
    expect(statuses.getByRole("button", { name: "Success" })).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByLabelText("Script path")).toHaveValue("f/billing/*");
    expect(screen.getByLabelText("Trigger")).toHaveValue("webhook");
    expect(screen.getByLabelText("Tag")).toHaveValue("gpu");
    expect(screen.getByLabelText("Created")).toHaveValue("custom");
    expect(screen.getByLabelText("From")).not.toHaveValue("");
    expect(screen.getByLabelText("To")).not.toHaveValue("");
  });

  it("writes each filter change to the URL and asks the API again", async () => {
    const fetchMock = mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOBS_PATH}`]: () => jsonResponse({ items: JOBS, next_cursor: null }),
    });
    render("/w/demo/runs");
    await rows();
    expect(lastQuery(fetchMock)).toEqual({ limit: "50" });

    // Status chips: several at once, kept in the API's order.
    fireEvent.click(screen.getByRole("button", { name: "Failure" }));
    fireEvent.click(screen.getByRole("button", { name: "Queued" }));
    await waitFor(() => expect(search().get("status")).toBe("queued,failure"));
    await waitFor(() => expect(lastQuery(fetchMock).status).toBe("queued,failure"));

    // Text fields apply on Enter (the form's submit) or when they lose focus.
    fireEvent.change(screen.getByLabelText("Script path"), { target: { value: " u/ada/greet " } });
    expect(search().get("path")).toBeNull();
    fireEvent.submit(screen.getByRole("form", { name: "Filter runs" }));
    await waitFor(() => expect(search().get("path")).toBe("u/ada/greet"));

    fireEvent.change(screen.getByLabelText("Script path"), { target: { value: "f/billing/*" } });
    fireEvent.blur(screen.getByLabelText("Script path"));
    await waitFor(() => expect(search().get("path_prefix")).toBe("f/billing/"));
    expect(search().get("path")).toBeNull();

    fireEvent.change(screen.getByLabelText("Tag"), { target: { value: "gpu" } });
    fireEvent.blur(screen.getByLabelText("Tag"));
    fireEvent.change(screen.getByLabelText("Trigger"), { target: { value: "schedule" } });
    await waitFor(() => expect(search().get("trigger")).toBe("schedule"));
    expect(search().get("tag")).toBe("gpu");

    // A preset range stays relative in the URL and is resolved to an instant for the API.
    const before = Date.now();
    fireEvent.change(screen.getByLabelText("Created"), { target: { value: "24h" } });
    await waitFor(() => expect(search().get("range")).toBe("24h"));
    await waitFor(() => expect(lastQuery(fetchMock).created_after).toBeDefined());
    const after = Date.parse(lastQuery(fetchMock).created_after!);
    expect(after).toBeGreaterThanOrEqual(before - 86_400_000 - 1000);
    expect(after).toBeLessThanOrEqual(Date.now() - 86_400_000 + 1000);

    expect(Object.fromEntries(search())).toEqual({
      status: "queued,failure",
      path_prefix: "f/billing/",
      trigger: "schedule",
      tag: "gpu",
      range: "24h",
    });
    expect(lastQuery(fetchMock)).toMatchObject({
      status: "queued,failure",
      path_prefix: "f/billing/",
      trigger: "schedule",
      tag: "gpu",
    });

    // Clicking a chip again removes it; "Clear filters" removes everything.
    fireEvent.click(screen.getByRole("button", { name: "Queued" }));
    await waitFor(() => expect(search().get("status")).toBe("failure"));
    fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(screen.getByTestId("location")).toHaveTextContent(/^$/));
    expect(screen.getByLabelText("Script path")).toHaveValue("");
    expect(screen.getByLabelText("Tag")).toHaveValue("");
    await waitFor(() => expect(lastQuery(fetchMock)).toEqual({ limit: "50" }));
  });

  it("loads the next page with next_cursor and the same filters", async () => {
    const first = [jobSummary({ id: id(1) }), jobSummary({ id: id(2) })];
    const second = [jobSummary({ id: id(3), status: "failure" })];
    const fetchMock = mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOBS_PATH}`]: (request) => {
        const cursor = new URL(request.url).searchParams.get("cursor");
        if (cursor === null) return jsonResponse({ items: first, next_cursor: "cursor-2" });
        if (cursor === "cursor-2") return jsonResponse({ items: second, next_cursor: null });
        return jsonResponse({ message: "invalid cursor", detail: { field: "cursor" } }, 400);
      },
    });
    render("/w/demo/runs?status=success,failure&range=1h");

    expect(await rows()).toHaveLength(2);
    expect(screen.getByTestId("runs-count")).toHaveTextContent("2 runs shown");
    const firstQuery = lastQuery(fetchMock);

    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(async () => expect(await rows()).toHaveLength(3));
    const [, , third] = await rows();
    expect(third).toHaveAttribute("data-job-id", id(3));
    expect(within(third!).getByText("Failure")).toBeInTheDocument();

    // The second page is the first page's query (the same "last hour" instant) plus the cursor.
    expect(lastQuery(fetchMock)).toEqual({ ...firstQuery, cursor: "cursor-2" });
    expect(firstQuery.status).toBe("success,failure");
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(screen.getByTestId("runs-count")).toHaveTextContent("3 runs");
  });

  it("says when no job matches the filters", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOBS_PATH}`]: () => jsonResponse({ items: [], next_cursor: null }),
    });
    render("/w/demo/runs?tag=nowhere");
    expect(await screen.findByText("No matching runs")).toBeInTheDocument();
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    });
    expect(await screen.findByText("No runs yet")).toBeInTheDocument();
  });

  it("shows the API's message when the list fails", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOBS_PATH}`]: () =>
        jsonResponse({ message: "invalid request: created_after: Input should be a valid datetime" }, 400),
    });
    render("/w/demo/runs");
    expect(await screen.findByRole("alert")).toHaveTextContent("created_after: Input should be a valid datetime");
  });
});
