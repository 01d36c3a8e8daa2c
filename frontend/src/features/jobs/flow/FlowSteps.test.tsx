import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../../App";
import { stubWebSocket } from "../../../test/fakeWebSocket";
import { jobDetail, jsonResponse, ME, mockApi, renderWithProviders, requests } from "../../../test/utils";

const ID = "f1000000-0000-4000-8000-000000000001";
const NEW_ID = "f2000000-0000-4000-8000-000000000002";
const CHILD = "c1000000-0000-4000-8000-000000000003";
const JOB_URL = `/api/w/demo/jobs/${ID}`;
const URLS_URL = `${JOB_URL}/resume_urls`;
const STEP = "decide/0/approve";
// The server signs URLs with its public URL, which need not be this page's host.
const PUBLIC = "https://kiln.example.com";
const RESUME_PATH = `/api/w/demo/jobs_u/resume/${ID}/r1d/s1g`;
const CANCEL_PATH = `/api/w/demo/jobs_u/cancel/${ID}/r1d/s1g`;
const QUERY = "?step=decide%2F0%2Fapprove&approver=ada%40example.com";

const T0 = "2025-01-02T10:00:00+00:00";
const T1 = "2025-01-02T10:00:02+00:00";

const STEPS = {
  fetch: { id: "fetch", type: "rawscript", status: "success", job: CHILD, started_at: T0, finished_at: T1 },
  score: {
    id: "score",
    type: "forloopflow",
    status: "success",
    started_at: T0,
    finished_at: T1,
    iters: { "0": { status: "success" }, "1": { status: "success" }, "2": { status: "success" } },
  },
  "score/0/score_one": { id: "score_one", type: "script", status: "success", cached: true, started_at: T0 },
  decide: { id: "decide", type: "branchone", status: "running", branch: 0, started_at: T0 },
  [STEP]: {
    id: "approve",
    type: "identity",
    status: "suspended",
    started_at: T0,
    approvals: [],
    required_events: 1,
  },
};

function flowRun(overrides: Record<string, unknown> = {}) {
  return jobDetail({
    id: ID,
    kind: "flow",
    script_path: "f/ops/digest",
    tag: "flow",
    status: "running",
    finished_at: null,
    duration_ms: null,
    flow_status: { steps: STEPS },
    ...overrides,
  });
}

const APPROVAL = {
  job_id: ID,
  flow: "f/ops/digest",
  step: STEP,
  status: "running",
  step_status: "suspended",
  approvals: 0,
  required_events: 1,
  resume_form: { type: "object", properties: { ok: { type: "boolean" } } },
};

/** The run's steps once STEP has moved on to `status`. */
function withStep(status: string) {
  return { steps: { ...STEPS, [STEP]: { ...STEPS[STEP], status } } };
}

/** A running flow run waiting at STEP; `decided` flips what the run looks like once a decision is posted. */
function mockFlowRun() {
  let decided: "approved" | "rejected" | null = null;
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    [`GET ${JOB_URL}`]: () =>
      jsonResponse(
        decided === null
          ? flowRun()
          : decided === "approved"
            ? flowRun({ status: "success", result: 1, flow_status: withStep("success") })
            : flowRun({ status: "canceled", flow_status: withStep("canceled") }),
      ),
    [`GET ${URLS_URL}`]: () =>
      jsonResponse({ resume: `${PUBLIC}${RESUME_PATH}${QUERY}`, cancel: `${PUBLIC}${CANCEL_PATH}${QUERY}` }),
    [`GET ${RESUME_PATH}`]: () => jsonResponse(APPROVAL),
    [`POST ${RESUME_PATH}`]: () => {
      decided = "approved";
      return jsonResponse({ ...APPROVAL, approvals: 1, step_status: "running" });
    },
    [`POST ${CANCEL_PATH}`]: () => {
      decided = "rejected";
      return jsonResponse({ ...APPROVAL, status: "canceled", step_status: "canceled" });
    },
  });
  return fetchMock;
}

function stepRow(key: string): HTMLElement {
  const row = screen.getByTestId("flow-steps").querySelector(`tr[data-step="${key}"]`);
  if (!(row instanceof HTMLElement)) throw new Error(`no row for step ${key}`);
  return row;
}

describe("JobPage: a flow run's steps", () => {
  it("lists the steps as a tree with their status, type, iterations, branch and jobs", async () => {
    stubWebSocket();
    mockFlowRun();
    renderWithProviders(<App />, { route: `/w/demo/runs/${ID}` });

    const table = await screen.findByTestId("flow-steps");
    const keys = Array.from(table.querySelectorAll("tbody tr[data-step]"), (tr) => tr.getAttribute("data-step"));
    expect(keys).toEqual(["fetch", "score", "score/0/score_one", "decide", STEP]);
    expect(screen.getByText("Flow", { selector: "dt" })).toBeInTheDocument();

    const fetch = within(stepRow("fetch"));
    expect(fetch.getByText("Success")).toHaveClass("badge-success");
    expect(fetch.getByText("rawscript")).toHaveClass("tag");
    expect(fetch.getByText("2.0 s")).toBeInTheDocument();
    expect(fetch.getByRole("link", { name: "run c1000000" })).toHaveAttribute("href", `/w/demo/runs/${CHILD}`);

    expect(within(stepRow("score")).getByText("3 iterations")).toBeInTheDocument();
    expect(within(stepRow("score/0/score_one")).getByText("cached")).toHaveClass("tag");
    const indent = (key: string) => stepRow(key).querySelector<HTMLElement>(".step-key")?.style.paddingLeft;
    expect([indent("score"), indent("score/0/score_one")]).toEqual(["0rem", "1.5rem"]);
    expect(within(stepRow("decide")).getByText("branch 0")).toBeInTheDocument();
    expect(within(stepRow(STEP)).getByText("Suspended")).toHaveClass("badge-suspended");
    expect(within(stepRow(STEP)).getByText("0 of 1 approval")).toBeInTheDocument();
    // A running run cannot be restarted.
    expect(screen.queryByRole("form", { name: "Restart from a step" })).not.toBeInTheDocument();
  });

  it("approves a suspended step in place with the resume form's values", async () => {
    document.cookie = "csrftoken=tok-approve; path=/";
    stubWebSocket();
    const fetchMock = mockFlowRun();
    renderWithProviders(<App />, { route: `/w/demo/runs/${ID}` });

    const approval = within(await screen.findByTestId(`approval-${STEP}`));
    // The step has a resume form: its values are typed as JSON.
    const values = await approval.findByLabelText("Resume values (JSON)");
    expect(values).toHaveValue("{}");
    fireEvent.change(values, { target: { value: '{"ok": true}' } });
    fireEvent.click(approval.getByRole("button", { name: "Approve" }));

    await waitFor(() => expect(within(stepRow(STEP)).getByText("Success")).toBeInTheDocument());
    expect(screen.queryByTestId(`approval-${STEP}`)).not.toBeInTheDocument();

    // Fresh URLs for the logged-in user, for that step, each time.
    const asked = requests(fetchMock, "GET", URLS_URL).map((r) => Object.fromEntries(new URL(r.url).searchParams));
    expect(asked).toHaveLength(2);
    expect(asked[1]).toEqual({ step: STEP, approver: "ada@example.com" });
    // Posted on this page's origin, the signed path and query as they were.
    const [post] = requests(fetchMock, "POST", RESUME_PATH);
    expect(post!.url).toBe(`${window.location.origin}${RESUME_PATH}${QUERY}`);
    expect(post!.credentials).toBe("same-origin");
    expect(post!.headers.get("Content-Type")).toBe("application/json");
    expect(await post!.json()).toEqual({ ok: true });
    expect(requests(fetchMock, "POST", CANCEL_PATH)).toHaveLength(0);
  });

  it("rejects a suspended step, and shows the server's refusal", async () => {
    stubWebSocket();
    const fetchMock = mockFlowRun();
    renderWithProviders(<App />, { route: `/w/demo/runs/${ID}` });

    const approval = within(await screen.findByTestId(`approval-${STEP}`));
    await approval.findByLabelText("Resume values (JSON)");
    // Values that are not an object are caught before anything is sent.
    fireEvent.change(approval.getByLabelText("Resume values (JSON)"), { target: { value: "[1]" } });
    fireEvent.click(approval.getByRole("button", { name: "Approve" }));
    expect(await approval.findByRole("alert")).toHaveTextContent("The values must be a JSON object");
    expect(requests(fetchMock, "POST")).toHaveLength(0);

    fireEvent.click(approval.getByRole("button", { name: "Reject" }));
    await waitFor(() => expect(within(stepRow(STEP)).getByText("Canceled")).toBeInTheDocument());
    const [post] = requests(fetchMock, "POST", CANCEL_PATH);
    expect(await post!.json()).toEqual({});
    expect(requests(fetchMock, "POST", RESUME_PATH)).toHaveLength(0);
  });

  it("shows why an approval was refused", async () => {
    stubWebSocket();
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOB_URL}`]: () => jsonResponse(flowRun()),
      [`GET ${URLS_URL}`]: () =>
        jsonResponse({ resume: `${PUBLIC}${RESUME_PATH}${QUERY}`, cancel: `${PUBLIC}${CANCEL_PATH}${QUERY}` }),
      [`GET ${RESUME_PATH}`]: () => jsonResponse({ ...APPROVAL, resume_form: null }),
      [`POST ${RESUME_PATH}`]: () =>
        jsonResponse({ message: `step '${STEP}' of this flow run is not waiting for an approval`, detail: null }, 409),
    });
    renderWithProviders(<App />, { route: `/w/demo/runs/${ID}` });

    const approval = within(await screen.findByTestId(`approval-${STEP}`));
    fireEvent.click(approval.getByRole("button", { name: "Approve" }));
    const alert = await approval.findByRole("alert");
    expect(alert).toHaveTextContent("is not waiting for an approval");
    expect(alert).toHaveTextContent("HTTP 409");
    // No resume form: no values to type.
    expect(approval.queryByLabelText("Resume values (JSON)")).not.toBeInTheDocument();
  });

  it("refetches the run when its websocket says a step moved, and keeps its log", async () => {
    const sockets = stubWebSocket();
    let served = 0;
    const fetchMock = mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOB_URL}`]: () =>
        jsonResponse(
          served++ === 0
            ? flowRun({ logs: "started\n", flow_status: { steps: { fetch: { ...STEPS.fetch, status: "running" } } } })
            : flowRun({ logs: "started\n", flow_status: { steps: { fetch: STEPS.fetch, score: STEPS.score } } }),
        ),
    });
    renderWithProviders(<App />, { route: `/w/demo/runs/${ID}` });

    expect(await within(await screen.findByTestId("flow-steps")).findByText("Running")).toBeInTheDocument();
    const socket = await waitFor(() => sockets.only());
    act(() => socket.serverOpens());
    act(() => socket.serverSends({ type: "flow", flow_status: { steps: { fetch: { status: "success" } } } }));

    await waitFor(() => expect(within(screen.getByTestId("flow-steps")).getByText("3 iterations")).toBeInTheDocument());
    expect(requests(fetchMock, "GET", JOB_URL).length).toBeGreaterThanOrEqual(2);
    expect(screen.getByTestId("log-stream")).toHaveTextContent("live");
    expect(screen.getByTestId("job-logs").textContent).toBe("started\n");
  });
});

describe("JobPage: restart and child jobs", () => {
  it("restarts a finished run from a top-level step and opens the new run", async () => {
    const fetchMock = mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET ${JOB_URL}`]: () =>
        jsonResponse(
          flowRun({
            status: "failure",
            flow_status: {
              phase: "failure",
              steps: {
                fetch: STEPS.fetch,
                score: { ...STEPS.score, status: "failure" },
                failure: { id: "failure", type: "rawscript", status: "success" },
              },
            },
          }),
        ),
      [`POST ${JOB_URL}/restart`]: () => jsonResponse({ id: NEW_ID }, 201),
      [`GET /api/w/demo/jobs/${NEW_ID}`]: () =>
        jsonResponse(flowRun({ id: NEW_ID, trigger: "rerun", rerun_of: ID, status: "queued" })),
    });
    stubWebSocket();
    renderWithProviders(<App />, { route: `/w/demo/runs/${ID}` });

    const form = within(await screen.findByRole("form", { name: "Restart from a step" }));
    const select = form.getByLabelText("Restart from…");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["fetch", "score"]);
    fireEvent.change(select, { target: { value: "score" } });
    fireEvent.click(form.getByRole("button", { name: "Restart" }));

    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Run f2000000"));
    const [post] = requests(fetchMock, "POST", `${JOB_URL}/restart`);
    expect(await post!.json()).toEqual({ step: "score" });
  });

  it("says which flow run and step a step's job belongs to", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      [`GET /api/w/demo/jobs/${CHILD}`]: () =>
        jsonResponse(
          jobDetail({
            id: CHILD,
            kind: "inline",
            script_path: "f/ops/digest/score_one",
            trigger: "flow",
            parent_id: ID,
            root_id: ID,
            flow_step: "score/3/score_one",
          }),
        ),
    });
    renderWithProviders(<App />, { route: `/w/demo/runs/${CHILD}` });

    const line = await screen.findByTestId("flow-parent");
    expect(line).toHaveTextContent("Step score/3/score_one of flow run f1000000");
    expect(within(line).getByRole("link")).toHaveAttribute("href", `/w/demo/runs/${ID}`);
    // An inline step has no script page to link to.
    expect(screen.queryByRole("link", { name: "f/ops/digest/score_one" })).not.toBeInTheDocument();
    expect(screen.queryByTestId("flow-steps")).not.toBeInTheDocument();
  });
});
