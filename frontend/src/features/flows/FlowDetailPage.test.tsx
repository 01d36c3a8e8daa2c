import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, renderWithProviders, requests } from "../../test/utils";
import { FLOW_PATH, flowOut, mockFlowApi } from "./editor/testFlows";

const DELETE_FLOW = `DELETE /api/w/demo/flows/p/${FLOW_PATH}`;

describe("deleting a flow from its page", () => {
  it("is not offered to those who may only run it", async () => {
    mockFlowApi({ [`GET /api/w/demo/flows/p/${FLOW_PATH}`]: () => jsonResponse(flowOut(undefined, { access: "view" })) });
    renderWithProviders(<App />, { route: `/w/demo/flows/p/${FLOW_PATH}` });
    expect(await screen.findByText("Digest")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
  });

  it("asks first, naming the path, and Cancel deletes nothing", async () => {
    const fetchMock = mockFlowApi();
    renderWithProviders(<App />, { route: `/w/demo/flows/p/${FLOW_PATH}` });
    fireEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = within(screen.getByRole("dialog", { name: `Delete ${FLOW_PATH}?` }));
    expect(dialog.getByText("Its past runs stay; schedules that run it must be removed first.")).toBeInTheDocument();
    fireEvent.click(dialog.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(requests(fetchMock, "DELETE")).toEqual([]);
  });

  it("deletes the flow and opens the flows list", async () => {
    const fetchMock = mockFlowApi({ [DELETE_FLOW]: () => new Response(null, { status: 204 }) });
    renderWithProviders(<App />, { route: `/w/demo/flows/p/${FLOW_PATH}` });
    fireEvent.click(await screen.findByRole("button", { name: "Delete" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Flows" })).toBeInTheDocument();
    expect(screen.getByTestId("deleted-notice")).toHaveTextContent(`Deleted ${FLOW_PATH}.`);
    expect(requests(fetchMock, "DELETE", `/api/w/demo/flows/p/${FLOW_PATH}`)).toHaveLength(1);
  });

  it("keeps the dialog open with the server's message when a schedule still runs the flow", async () => {
    const message = `${FLOW_PATH} is run by schedules f/ops/nightly; delete them first`;
    mockFlowApi({ [DELETE_FLOW]: () => jsonResponse({ message, detail: { schedules: ["f/ops/nightly"] } }, 409) });
    renderWithProviders(<App />, { route: `/w/demo/flows/p/${FLOW_PATH}` });
    fireEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = within(screen.getByRole("dialog"));
    fireEvent.click(dialog.getByRole("button", { name: "Delete" }));

    expect(await dialog.findByRole("alert")).toHaveTextContent(message);
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: FLOW_PATH })).toBeInTheDocument();
  });

  it("shows any other refusal in the dialog too", async () => {
    mockFlowApi({ [DELETE_FLOW]: () => jsonResponse({ message: "you may not write f/demo" }, 403) });
    renderWithProviders(<App />, { route: `/w/demo/flows/p/${FLOW_PATH}` });
    fireEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = within(screen.getByRole("dialog"));
    fireEvent.click(dialog.getByRole("button", { name: "Delete" }));
    expect(await dialog.findByRole("alert")).toHaveTextContent("you may not write f/demo");
  });
});
