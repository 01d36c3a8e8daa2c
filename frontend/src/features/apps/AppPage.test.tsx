import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { stubWebSocket } from "../../test/fakeWebSocket";
import { jobDetail, jsonResponse, ME, mockApi, renderWithProviders } from "../../test/utils";

const OPERATOR = { ...ME, email: "otto@example.com", workspaces: [{ id: "demo", name: "Demo", role: "operator" }] };
const APP = {
  path: "f/ops/refund",
  kind: "script",
  hash: "a1b2c3d4e5f60718",
  summary: "Refund an order",
  description: "Gives the customer their money back.",
  schema: {
    type: "object",
    properties: { order: { type: "string" }, amount: { type: "integer", default: 5 } },
    required: ["order"],
  },
  published: true,
};
const JOB = "0f9e8d7c-0000-4000-8000-00000000000a";

function routes(me = OPERATOR, extra: Record<string, (r: Request) => Response> = {}) {
  return mockApi({
    "GET /api/auth/me": () => jsonResponse(me),
    "GET /api/w/demo/apps": () => jsonResponse([APP]),
    "GET /api/w/demo/apps/p/f/ops/refund": () => jsonResponse(APP),
    "POST /api/w/demo/jobs/run/p/f/ops/refund": () => jsonResponse({ id: JOB }, 201),
    [`GET /api/w/demo/jobs/${JOB}`]: () =>
      jsonResponse(
        jobDetail({
          id: JOB,
          script_path: APP.path,
          args: { order: "A-1", amount: 5 },
          result: [{ order: "A-1", refunded: 5 }],
          logs: "refunding A-1\n",
        }),
      ),
    ...extra,
  });
}

describe("Apps", () => {
  it("lists the apps an operator may run, and sends operators away from the studio", async () => {
    routes();
    renderWithProviders(<App />, { route: "/w/demo/scripts" });
    const list = await screen.findByRole("list", { name: "Apps" });
    expect(within(list).getByRole("link", { name: /Refund an order/ })).toHaveAttribute("href", "/apps/demo/f/ops/refund");
    expect(screen.getByRole("link", { name: "My runs" })).toHaveAttribute("href", "/w/demo/runs");
    expect(screen.queryByRole("link", { name: "Studio" })).toBeNull();
  });

  it("says so when nothing is published", async () => {
    routes(OPERATOR, { "GET /api/w/demo/apps": () => jsonResponse([]) });
    renderWithProviders(<App />, { route: "/apps/demo" });
    expect(await screen.findByTestId("apps-empty")).toHaveTextContent("Nothing has been published");
  });

  it("shows only the summary, description and form, runs it and shows the result in place", async () => {
    stubWebSocket();
    const fetchMock = routes();
    renderWithProviders(<App />, { route: "/apps/demo/f/ops/refund" });
    expect(await screen.findByRole("heading", { name: "Refund an order" })).toBeInTheDocument();
    expect(screen.getByText("Gives the customer their money back.")).toBeInTheDocument();
    expect(screen.queryByText(/def main/)).toBeNull();
    const form = within(screen.getByRole("form", { name: "Run Refund an order" }));
    expect(form.getByLabelText("amount")).toHaveValue(5);
    fireEvent.change(form.getByLabelText("order"), { target: { value: "A-1" } });
    fireEvent.click(form.getByRole("button", { name: "Run" }));

    const run = await screen.findByTestId("app-run");
    await waitFor(() => expect(within(run).getByText("refunded")).toBeInTheDocument());
    const post = fetchMock.mock.calls
      .map(([input]) => input as Request)
      .find((r) => r.method === "POST");
    expect(await post?.clone().json()).toEqual({ order: "A-1", amount: 5 });
    expect(within(run).getByRole("link", { name: `Run ${JOB.slice(0, 8)}` })).toHaveAttribute("href", `/w/demo/runs/${JOB}`);
  });

  it("shows the API's refusal with its message", async () => {
    routes(OPERATOR, {
      "GET /api/w/demo/apps/p/f/ops/refund": () => jsonResponse({ message: "'f/ops/refund' is not published as an app" }, 404),
    });
    renderWithProviders(<App />, { route: "/apps/demo/f/ops/refund" });
    expect(await screen.findByRole("alert")).toHaveTextContent("not published as an app");
  });
});
