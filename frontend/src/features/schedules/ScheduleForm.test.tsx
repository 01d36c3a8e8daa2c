import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { FLOWS, PREVIEW, schedule, SCRIPTS } from "./testData";

const CREATE_URL = "/api/w/demo/schedules";
const PREVIEW_URL = "/api/w/demo/schedules/preview";
const MINUTE_61 = "cron: minute: 61 is out of range (0-59)";

async function bodyOf(request: Request): Promise<Record<string, unknown>> {
  return (await request.clone().json()) as Record<string, unknown>;
}

function open(routes: Record<string, RouteHandler> = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/scripts": () => jsonResponse(SCRIPTS),
    [`GET ${PREVIEW_URL}`]: () => jsonResponse(PREVIEW),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/schedules/new" });
  return fetchMock;
}

/** The field (label, input, hint, error, preview) holding the input labelled `label`. */
function field(label: string) {
  const input = screen.getByLabelText(label);
  const container = input.closest(".field");
  if (!(container instanceof HTMLElement)) throw new Error(`no .field around ${label}`);
  return { input, box: within(container) };
}

function type(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

async function form() {
  const found = await screen.findByRole("form", { name: "New schedule" });
  // The script picker is filled once the scripts are listed.
  await within(found).findByRole("option", { name: "u/ada/greet" });
  return found;
}

describe("Schedule form", () => {
  it("previews the cron once typing pauses, in words and as the next times in the zone", async () => {
    const fetchMock = open();
    await form();
    type("Time zone", "Europe/Paris");
    type("Cron", "*");
    type("Cron", "*/");
    type("Cron", "*/5 * * * *");
    // Nothing is asked while the user types.
    expect(requests(fetchMock, "GET", PREVIEW_URL)).toHaveLength(0);

    const { box } = field("Cron");
    expect(await box.findByTestId("cron-description", {}, { timeout: 3000 })).toHaveTextContent("every 5 minutes");
    const previews = requests(fetchMock, "GET", PREVIEW_URL);
    expect(previews).toHaveLength(1);
    const query = new URL(previews[0]!.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({ cron: "*/5 * * * *", tz: "Europe/Paris", count: "5" });

    // The wall-clock times as the server gave them, across the DST change, with their offsets.
    const times = within(box.getByTestId("cron-times")).getAllByRole("listitem");
    expect(times.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/01:55:00.*UTC\+01:00$/),
      expect.stringMatching(/03:00:00.*UTC\+02:00$/),
    ]);
    expect(box.getByText(/Next, in Europe\/Paris/)).toBeInTheDocument();
  });

  it("shows the preview's 400 under the cron field", async () => {
    open({
      [`GET ${PREVIEW_URL}`]: () =>
        jsonResponse({ message: MINUTE_61, detail: { field: "cron", part: "minute" } }, 400),
    });
    await form();
    type("Cron", "61 * * * *");
    const { box } = field("Cron");
    expect(await box.findByTestId("cron-preview-error", {}, { timeout: 3000 })).toHaveTextContent(MINUTE_61);
    expect(box.queryByTestId("cron-description")).not.toBeInTheDocument();
  });

  it("creates the schedule with the whole body and opens it", async () => {
    document.cookie = "csrftoken=tok-create; path=/";
    const fetchMock = open({
      [`POST ${CREATE_URL}`]: async (request) => jsonResponse(schedule(await bodyOf(request)), 201),
      "GET /api/w/demo/schedules/p/u/ada/nightly": () => jsonResponse(schedule()),
      "GET /api/w/demo/schedules/runs/p/u/ada/nightly": () => jsonResponse({ items: [], next_cursor: null }),
      "GET /api/w/demo/schedules/events/p/u/ada/nightly": () => jsonResponse([]),
    });
    const found = await form();
    type("Path", " u/ada/nightly ");
    fireEvent.change(screen.getByLabelText("Script or flow path"), { target: { value: "u/ada/greet" } });
    type("Arguments (JSON)", '{"name": "world"}');
    type("Summary", "Nightly report");
    type("Cron", "0 30 2 * * *");
    type("Time zone", "Europe/Paris");
    type("Paused until", "2025-06-01T09:30");
    fireEvent.change(screen.getByLabelText("Catch-up"), { target: { value: "all" } });
    type("At most", "5");
    fireEvent.click(screen.getByLabelText(/No overlap/));
    type("On failure", "f/ops/page_oncall");
    type("After failures in a row", "3");
    fireEvent.click(within(found).getByRole("button", { name: "Create schedule" }));

    await waitFor(() => expect(requests(fetchMock, "POST", CREATE_URL)).toHaveLength(1));
    const [post] = requests(fetchMock, "POST", CREATE_URL);
    expect(post!.headers.get("X-CSRFToken")).toBe("tok-create");
    const body = (await post!.json()) as Record<string, unknown>;
    expect(body).toEqual({
      path: "u/ada/nightly",
      script_path: "u/ada/greet",
      is_flow: false,
      args: { name: "world" },
      cron: "0 30 2 * * *",
      timezone: "Europe/Paris",
      summary: "Nightly report",
      enabled: true,
      // The browser's wall clock, sent as the instant in UTC.
      paused_until: new Date(2025, 5, 1, 9, 30).toISOString(),
      catch_up: "all",
      catch_up_max: 5,
      no_overlap: true,
      retry: null,
      on_failure: { path: "f/ops/page_oncall", times: 3 },
      on_recovery: null,
      on_success: null,
    });
    expect(body.paused_until).toMatch(/^2025-06-01T\d{2}:30:00\.000Z$/);

    expect(await screen.findByRole("heading", { name: "u/ada/nightly" })).toBeInTheDocument();
  });

  it("schedules a flow: the picker lists flows and the body says is_flow", async () => {
    const fetchMock = open({
      "GET /api/w/demo/flows": () => jsonResponse(FLOWS),
      [`POST ${CREATE_URL}`]: async (request) => jsonResponse(schedule(await bodyOf(request)), 201),
      "GET /api/w/demo/schedules/p/u/ada/digest": () =>
        jsonResponse(schedule({ path: "u/ada/digest", script_path: "f/ops/digest", is_flow: true })),
      "GET /api/w/demo/schedules/runs/p/u/ada/digest": () => jsonResponse({ items: [], next_cursor: null }),
      "GET /api/w/demo/schedules/events/p/u/ada/digest": () => jsonResponse([]),
    });
    const found = await form();
    // Flows are only asked for once the schedule runs one.
    expect(requests(fetchMock, "GET", "/api/w/demo/flows")).toHaveLength(0);
    fireEvent.click(screen.getByLabelText("Runs a flow"));
    const target = screen.getByLabelText("Script or flow path");
    await within(target).findByRole("option", { name: "f/ops/digest" });
    expect(within(target).queryByRole("option", { name: "u/ada/greet" })).not.toBeInTheDocument();

    type("Path", "u/ada/digest");
    fireEvent.change(target, { target: { value: "f/ops/digest" } });
    type("Cron", "@daily");
    fireEvent.click(within(found).getByRole("button", { name: "Create schedule" }));

    await waitFor(() => expect(requests(fetchMock, "POST", CREATE_URL)).toHaveLength(1));
    const [post] = requests(fetchMock, "POST", CREATE_URL);
    expect(await bodyOf(post!)).toMatchObject({ script_path: "f/ops/digest", is_flow: true, retry: null });
    expect(await screen.findByRole("heading", { name: "u/ada/digest" })).toBeInTheDocument();
    expect(screen.getByTestId("schedule-facts")).toHaveTextContent(/Flow\s*f\/ops\/digest/);
  });

  it("reports JSON that does not parse without asking the API", async () => {
    const fetchMock = open();
    const found = await form();
    type("Arguments (JSON)", '{"name": ');
    type("Retry (JSON)", "[1]");
    fireEvent.click(within(found).getByRole("button", { name: "Create schedule" }));

    expect(await field("Arguments (JSON)").box.findByRole("alert")).toHaveTextContent(/^Invalid JSON/);
    expect(field("Retry (JSON)").box.getByRole("alert")).toHaveTextContent("Retry must be a JSON object");
    expect(requests(fetchMock, "POST")).toHaveLength(0);
  });

  it.each([
    ["script_path", "Script or flow path", "script_path: script 'u/ada/gone' not found"],
    ["on_failure", "On failure", "on_failure: unknown field 'when'"],
    ["timezone", "Time zone", "timezone: unknown time zone 'Mars/Olympus'"],
  ])("shows a save's 400 about %s at its field", async (name, label, message) => {
    open({ [`POST ${CREATE_URL}`]: () => jsonResponse({ message, detail: { field: name } }, 400) });
    const found = await form();
    type("Cron", "@daily");
    fireEvent.click(within(found).getByRole("button", { name: "Create schedule" }));

    expect(await field(label).box.findByRole("alert")).toHaveTextContent(message);
    expect(within(found).getByRole("status")).toHaveTextContent("Not saved: see the message above.");
    expect(screen.queryByTestId("schedule-form-error")).not.toBeInTheDocument();
  });

  it("shows a refusal that names no field above the buttons", async () => {
    open({
      [`POST ${CREATE_URL}`]: () =>
        jsonResponse({ message: "your role (operator) may not do this", detail: null }, 403),
    });
    const found = await form();
    fireEvent.click(within(found).getByRole("button", { name: "Create schedule" }));
    expect(await screen.findByTestId("schedule-form-error")).toHaveTextContent("your role (operator) may not do this");
  });

  it("places a request validation error at its field", async () => {
    open({
      [`POST ${CREATE_URL}`]: () =>
        jsonResponse(
          {
            message: "invalid request: payload.catch_up_max: Input should be a valid integer",
            detail: [{ loc: ["body", "payload", "catch_up_max"], msg: "Input should be a valid integer" }],
          },
          400,
        ),
    });
    const found = await form();
    fireEvent.change(screen.getByLabelText("Catch-up"), { target: { value: "all" } });
    type("At most", "lots");
    fireEvent.click(within(found).getByRole("button", { name: "Create schedule" }));
    expect(await field("At most").box.findByRole("alert")).toHaveTextContent(
      "catch_up_max: Input should be a valid integer",
    );
  });
});
