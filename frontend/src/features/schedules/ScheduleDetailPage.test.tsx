import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { EVENTS, PREVIEW, schedule, scheduleRun, SCRIPTS } from "./testData";

const BASE = "/api/w/demo/schedules";
const PATH = "u/ada/nightly";
const RUNS_URL = `${BASE}/runs/p/${PATH}`;

const HANDLED = schedule({
  on_failure: { path: "f/ops/page_oncall", args: { channel: "#ops" }, times: 3 },
  on_success: { path: "u/ada/greet", args: {} },
  retry: { constant: { attempts: 2, seconds: 10 } },
});

const TICK_RUN = scheduleRun({ id: "11111111-0000-4000-8000-000000000001", status: "failure" });
const HANDLER_RUN = scheduleRun({
  id: "22222222-0000-4000-8000-000000000002",
  script_path: "f/ops/page_oncall",
  schedule_tick: null,
});
const OLDER_RUN = scheduleRun({ id: "33333333-0000-4000-8000-000000000003", schedule_tick: "2025-01-01T01:30:00Z" });

async function bodyOf(request: Request): Promise<Record<string, unknown>> {
  return (await request.clone().json()) as Record<string, unknown>;
}

function open(routes: Record<string, RouteHandler> = {}, route = `/w/demo/schedules/p/${PATH}`) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    [`GET ${BASE}/p/${PATH}`]: () => jsonResponse(HANDLED),
    [`GET ${RUNS_URL}`]: (request) =>
      new URL(request.url).searchParams.get("cursor") === "page-2"
        ? jsonResponse({ items: [OLDER_RUN], next_cursor: null })
        : jsonResponse({ items: [HANDLER_RUN, TICK_RUN], next_cursor: "page-2" }),
    [`GET ${BASE}/events/p/${PATH}`]: () => jsonResponse(EVENTS),
    "GET /api/w/demo/scripts": () => jsonResponse(SCRIPTS),
    [`GET ${BASE}/preview`]: () => jsonResponse(PREVIEW),
    [`GET ${BASE}`]: () => jsonResponse([HANDLED]),
    ...routes,
  });
  renderWithProviders(<App />, { route });
  return fetchMock;
}

describe("Schedule page", () => {
  it("shows the schedule's fields and handlers", async () => {
    open();
    const facts = await screen.findByTestId("schedule-facts");
    expect(screen.getByRole("heading", { name: PATH })).toBeInTheDocument();
    const script = within(facts).getByRole("link", { name: "u/ada/greet" });
    expect(script).toHaveAttribute("href", "/w/demo/scripts/p/u/ada/greet");
    expect(facts).toHaveTextContent("0 30 2 * * *at 02:30:00");
    expect(facts).toHaveTextContent("Europe/Paris");
    expect(screen.getByTestId("schedule-args")).toHaveTextContent('{ "name": "world" }');
    expect(screen.getByText("f/ops/page_oncall after 3 failures in a row")).toBeInTheDocument();
    expect(screen.getByRole("switch", { name: `Enabled: ${PATH}` })).toBeChecked();
  });

  it("lists its runs with the tick each ran for, linked to their jobs, and loads more", async () => {
    const fetchMock = open();
    const table = await screen.findByTestId("runs-table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    // A handler's run has no tick.
    expect(within(rows[0]!).getByTestId("run-tick")).toHaveTextContent("handler");
    expect(within(rows[1]!).getByTestId("run-tick").querySelector("time")).toHaveAttribute(
      "dateTime",
      "2025-01-02T01:30:00Z",
    );
    const jobLinks = within(rows[1]!).getAllByRole("link").map((a) => a.getAttribute("href"));
    expect(jobLinks).toContain(`/w/demo/runs/${TICK_RUN.id}`);

    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(4));
    const cursors = requests(fetchMock, "GET", RUNS_URL).map((r) => new URL(r.url).searchParams.get("cursor"));
    expect(cursors).toContain("page-2");
    expect(screen.getByTestId("schedule-runs-count")).toHaveTextContent("3 runs");
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("tells its events in words", async () => {
    open();
    const table = await screen.findByTestId("schedule-events");
    const [handler, notStarted, missed, overlap] = within(table).getAllByRole("row").slice(1);
    expect(handler).toHaveTextContent("Handler on_failure started: aaaaaaaa");
    expect(within(handler!).getByRole("link", { name: "aaaaaaaa" })).toHaveAttribute(
      "href",
      "/w/demo/runs/aaaaaaaa-0000-4000-8000-000000000004",
    );
    expect(notStarted).toHaveTextContent("Not started: script 'u/ada/greet' not found");
    expect(missed).toHaveTextContent("Skipped 5 missed ticks (catch-up: skip)");
    expect(overlap).toHaveTextContent("Skipped: the previous run was still going (run bbbbbbbb)");
  });

  it("edits the whole schedule with PUT, keeping its path, state and handler arguments", async () => {
    const fetchMock = open({
      [`PUT ${BASE}/p/${PATH}`]: async (request) => jsonResponse(schedule(await bodyOf(request))),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Edit" }));
    const form = await screen.findByRole("form", { name: "Edit schedule" });
    const path = within(form).getByLabelText("Path");
    expect(path).toHaveValue(PATH);
    expect(path).toHaveAttribute("readonly");
    expect(within(form).getByLabelText("Retry (JSON)")).toHaveValue(
      '{\n  "constant": {\n    "attempts": 2,\n    "seconds": 10\n  }\n}',
    );

    fireEvent.change(within(form).getByLabelText("Cron"), { target: { value: "0 0 3 * * *" } });
    fireEvent.change(within(form).getByLabelText("On success"), { target: { value: "" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save schedule" }));

    await waitFor(() => expect(requests(fetchMock, "PUT")).toHaveLength(1));
    const body = (await requests(fetchMock, "PUT")[0]!.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      path: PATH,
      cron: "0 0 3 * * *",
      enabled: true,
      on_failure: { path: "f/ops/page_oncall", args: { channel: "#ops" }, times: 3 },
      on_success: null,
      retry: { constant: { attempts: 2, seconds: 10 } },
    });
    // Saved: back to the schedule.
    expect(await screen.findByTestId("schedule-facts")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Edit schedule" })).not.toBeInTheDocument();
  });

  it("deletes the schedule after a confirmation and goes back to the list", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    const fetchMock = open({ [`DELETE ${BASE}/p/${PATH}`]: () => new Response(null, { status: 204 }) });
    const remove = await screen.findByRole("button", { name: "Delete" });

    fireEvent.click(remove);
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(requests(fetchMock, "DELETE")).toHaveLength(0);

    fireEvent.click(remove);
    await waitFor(() => expect(requests(fetchMock, "DELETE")).toHaveLength(1));
    expect(await screen.findByRole("heading", { name: "Schedules" })).toBeInTheDocument();
  });

  it("has no Edit or Delete for a schedule shared with you as viewer", async () => {
    open({ [`GET ${BASE}/p/${PATH}`]: () => jsonResponse(schedule({ access: "view" })) });
    await screen.findByTestId("schedule-facts");
    expect(screen.queryByRole("button", { name: "Edit" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
    expect(screen.queryByRole("switch")).not.toBeInTheDocument();
  });
});
