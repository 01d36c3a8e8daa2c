import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { schedule } from "./testData";

const LIST_URL = "/api/w/demo/schedules";
const OPERATOR_ME = { ...ME, workspaces: [{ id: "demo", name: "Demo workspace", role: "operator" }] };

const SCHEDULES = [
  schedule({ failures: 2 }),
  schedule({
    path: "f/ops/every_minute",
    summary: "",
    script_path: "f/ops/ping",
    cron: "* * * * *",
    description: "every minute",
    timezone: "UTC",
    enabled: false,
    next_fire_at: null,
    access: "view",
  }),
];

function open(me: unknown = ME, routes: Record<string, RouteHandler> = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(me),
    [`GET ${LIST_URL}`]: () => jsonResponse(SCHEDULES),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/schedules" });
  return fetchMock;
}

async function rows() {
  return within(await screen.findByTestId("schedules-table")).getAllByRole("row").slice(1);
}

describe("Schedules page", () => {
  it("is linked from the sidebar after Runs and lists the schedules", async () => {
    open();
    const nav = await screen.findByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link").map((link) => link.textContent);
    expect(links.indexOf("Schedules")).toBe(links.indexOf("Runs") + 1);
    expect(within(nav).getByRole("link", { name: "Schedules" })).toHaveAttribute("href", "/w/demo/schedules");

    const [nightly, everyMinute] = await rows();
    const cells = within(nightly!).getAllByRole("cell");
    expect(cells[0]).toHaveTextContent("u/ada/nightlyNightly report");
    expect(within(cells[0]!).getByRole("link")).toHaveAttribute("href", "/w/demo/schedules/p/u/ada/nightly");
    expect(within(cells[1]!).getByRole("link", { name: "u/ada/greet" })).toHaveAttribute(
      "href",
      "/w/demo/scripts/p/u/ada/greet",
    );
    expect(cells[2]).toHaveTextContent("0 30 2 * * *at 02:30:00");
    expect(cells[3]).toHaveTextContent("Europe/Paris");
    // Relative ("in 74 yr.") and absolute, to the second.
    expect(within(cells[4]!).getByText(/^in /)).toHaveAttribute("dateTime", "2099-01-02T01:30:00Z");
    expect(cells[4]).toHaveTextContent(/2099/);
    expect(cells[5]).toHaveTextContent("2");
    expect(within(cells[6]!).getByRole("switch", { name: "Enabled: u/ada/nightly" })).toBeChecked();

    const other = within(everyMinute!).getAllByRole("cell");
    expect(other[4]).toHaveTextContent("disabled");
    // Shared with the caller as a viewer: a tag instead of a switch.
    expect(within(other[6]!).queryByRole("switch")).not.toBeInTheDocument();
    expect(other[6]).toHaveTextContent("off");

    expect(screen.getByRole("link", { name: "New schedule" })).toHaveAttribute("href", "/w/demo/schedules/new");
  });

  it("turns a schedule off with its switch", async () => {
    document.cookie = "csrftoken=tok-schedules; path=/";
    let stored = SCHEDULES;
    const fetchMock = open(ME, {
      [`GET ${LIST_URL}`]: () => jsonResponse(stored),
      "POST /api/w/demo/schedules/enabled/p/u/ada/nightly": async (request) => {
        const saved = schedule({ ...((await request.clone().json()) as object), next_fire_at: null });
        stored = [saved, ...SCHEDULES.slice(1)];
        return jsonResponse(saved);
      },
    });
    await rows();
    const toggle = screen.getByRole("switch", { name: "Enabled: u/ada/nightly" });

    fireEvent.click(toggle);

    await waitFor(() => expect(requests(fetchMock, "POST")).toHaveLength(1));
    const [post] = requests(fetchMock, "POST");
    expect(new URL(post!.url).pathname).toBe("/api/w/demo/schedules/enabled/p/u/ada/nightly");
    expect(post!.headers.get("X-CSRFToken")).toBe("tok-schedules");
    expect(await post!.json()).toEqual({ enabled: false });
    await waitFor(() => expect(toggle).not.toBeChecked());
    // The list is fetched again once it is saved.
    await waitFor(() => expect(requests(fetchMock, "GET", LIST_URL).length).toBeGreaterThan(1));
  });

  it("shows why the switch was refused in its row", async () => {
    open(ME, {
      "POST /api/w/demo/schedules/enabled/p/u/ada/nightly": () =>
        jsonResponse({ message: "you may not change 'u/ada/nightly'", detail: null }, 403),
    });
    const [nightly] = await rows();
    fireEvent.click(within(nightly!).getByRole("switch"));
    expect(await within(nightly!).findByRole("alert")).toHaveTextContent("you may not change 'u/ada/nightly'");
    expect(within(nightly!).getByRole("switch")).toBeChecked();
  });

  it("is not shown to operators: they are sent to the workspace's apps", async () => {
    open(OPERATOR_ME, { "GET /api/w/demo/apps": () => jsonResponse([]) });
    expect(await screen.findByRole("heading", { name: "Apps" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "New schedule" })).not.toBeInTheDocument();
  });


  it("says so when there are no schedules", async () => {
    open(ME, { [`GET ${LIST_URL}`]: () => jsonResponse([]) });
    expect(await screen.findByRole("heading", { name: "No schedules yet" })).toBeInTheDocument();
  });
});
