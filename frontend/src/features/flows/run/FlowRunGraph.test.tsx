import { fireEvent, screen, within } from "@testing-library/react";
import { parse } from "yaml";
import { beforeEach, describe, expect, it } from "vitest";
import type { JobDetail } from "../../../api/client";
import { jobDetail, jsonResponse, mockApi, renderWithProviders, requests } from "../../../test/utils";
import { stubReactFlowBrowser } from "../canvas/testing";
import { ORDER_DIGEST_YAML } from "../model/fixtures.testing";
import type { FlowDocument } from "../model/types";
import { FlowRunGraph } from "./FlowRunGraph";

const HASH = "f00dfeedf00dfeed";
const DOC = parse(ORDER_DIGEST_YAML) as FlowDocument;
const CHILD = "c1000000-0000-4000-8000-000000000003";
const T0 = "2025-01-02T10:00:00+00:00";
const T1 = "2025-01-02T10:00:02+00:00";

const VERSION = { path: "f/ops/digest", hash: HASH, ...DOC, created_by: "ada", created_at: T0, access: "owner", app: false };

function run(steps: Record<string, unknown>): JobDetail {
  // jobDetail builds the JSON the API sends; the fields this graph reads are all there.
  return jobDetail({
    kind: "flow",
    script_path: "f/ops/digest",
    script_hash: HASH,
    status: "running",
    args: { count: 3 },
    flow_status: { steps },
  }) as unknown as JobDetail;
}

const STEPS = {
  fetch: { id: "fetch", type: "rawscript", status: "success", job: CHILD, started_at: T0, finished_at: T1 },
  score: { id: "score", type: "forloopflow", status: "running", iters: { "0": { status: "success" }, "1": { status: "running" } } },
  "score/0/score_one": { id: "score_one", status: "success", result: { id: 1, big: false } },
  "score/1/score_one": { id: "score_one", status: "running" },
  decide: { id: "decide", type: "branchone", status: "waiting" },
  send: { id: "send", type: "rawscript", status: "waiting" },
};

beforeEach(() => stubReactFlowBrowser());

describe("FlowRunGraph", () => {
  it("draws the run's flow version coloured by status, and shows a picked step's job and result", async () => {
    const fetchMock = mockApi({
      [`GET /api/w/demo/flows/h/${HASH}`]: () => jsonResponse(VERSION),
      [`GET /api/w/demo/jobs/${CHILD}`]: () => jsonResponse(jobDetail({ id: CHILD, result: [{ id: 1, total: 20 }] })),
    });
    renderWithProviders(<FlowRunGraph workspaceId="demo" job={run(STEPS)} />);

    const fetch = await screen.findByRole("radio", { name: "Step fetch" });
    expect(fetch.closest("[data-status]")).toHaveAttribute("data-status", "success");
    expect(fetch).toHaveTextContent("2.0 s");
    const scoreOne = screen.getByRole("radio", { name: "Step score_one" });
    expect(scoreOne.closest("[data-status]")).toHaveAttribute("data-status", "running");
    expect(screen.getByText("iteration 2 of 2")).toBeInTheDocument();

    fireEvent.click(fetch);
    const details = await screen.findByRole("region", { name: "Details of fetch" });
    expect(within(details).getByRole("link", { name: /Open job c1000000/ })).toHaveAttribute("href", `/w/demo/runs/${CHILD}`);
    // Read from the step's job: a list of records shows as a table.
    expect(await within(details).findByRole("columnheader", { name: /total/ })).toBeInTheDocument();
    expect(requests(fetchMock, "GET", `/api/w/demo/flows/h/${HASH}`)).toHaveLength(1);
  });

  it("steps back through a loop's iterations, with the result kept in the run", async () => {
    mockApi({ [`GET /api/w/demo/flows/h/${HASH}`]: () => jsonResponse(VERSION) });
    renderWithProviders(<FlowRunGraph workspaceId="demo" job={run(STEPS)} />);
    fireEvent.click(await screen.findByRole("button", { name: "Previous iteration of score" }));
    expect(screen.getByText("iteration 1 of 2")).toBeInTheDocument();
    const scoreOne = screen.getByRole("radio", { name: "Step score_one" });
    expect(scoreOne.closest("[data-status]")).toHaveAttribute("data-status", "success");
    fireEvent.click(scoreOne);
    const details = await screen.findByRole("region", { name: "Details of score_one" });
    expect(within(details).getByText("score/0/score_one")).toBeInTheDocument();
    expect(within(details).getByRole("heading", { name: "Result" })).toBeInTheDocument();
    expect(details).toHaveTextContent("big");
  });

  it("shows the run's inputs for the inputs node, and says so when the version cannot be read", async () => {
    mockApi({ [`GET /api/w/demo/flows/h/${HASH}`]: () => jsonResponse(VERSION) });
    const { unmount } = renderWithProviders(<FlowRunGraph workspaceId="demo" job={run(STEPS)} />);
    fireEvent.click(await screen.findByRole("radio", { name: "Flow inputs" }));
    expect(screen.getByRole("region", { name: "Inputs of the run" })).toHaveTextContent('"count": 3');
    unmount();

    mockApi({});
    renderWithProviders(<FlowRunGraph workspaceId="demo" job={run(STEPS)} />);
    expect(await screen.findByText(/graph is not available/)).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
