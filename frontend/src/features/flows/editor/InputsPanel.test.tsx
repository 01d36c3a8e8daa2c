import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "../../../test/utils";
import { INPUT_ID } from "../model/graph";
import { createFlowEditorStore, FlowEditorProvider } from "../model/store";
import { SidePanel } from "./SidePanel";
import { digestDoc, FLOW_PATH, HASH, mockFlowApi } from "./testFlows";

function open() {
  mockFlowApi();
  const store = createFlowEditorStore();
  store.getState().load(digestDoc(), { path: FLOW_PATH, baseHash: HASH, saved: true });
  store.getState().select(INPUT_ID);
  renderWithProviders(
    <FlowEditorProvider store={store}>
      <SidePanel workspaceId="demo" />
    </FlowEditorProvider>,
  );
  return store;
}

const preview = () => within(screen.getByRole("region", { name: "Form preview" }));

describe("the flow inputs panel", () => {
  it("lists the inputs with their name, type, default and whether they are required", () => {
    open();
    const count = within(screen.getByRole("group", { name: "Input count" }));
    expect(count.getByLabelText("Name")).toHaveValue("count");
    expect(count.getByLabelText("Type")).toHaveValue("integer");
    expect(count.getByLabelText("Default")).toHaveValue("5");
    expect(count.getByLabelText("Required")).toBeChecked();
    expect(preview().getByLabelText(/count/)).toHaveValue(5);
  });

  it("adds an input, sets it up, and shows it in the form preview", () => {
    const store = open();
    fireEvent.click(screen.getByRole("button", { name: "Add input" }));
    const added = within(screen.getByRole("group", { name: "Input input" }));
    fireEvent.change(added.getByLabelText("Name"), { target: { value: "since" } });
    fireEvent.blur(added.getByLabelText("Name"));

    const since = within(screen.getByRole("group", { name: "Input since" }));
    fireEvent.change(since.getByLabelText("Type"), { target: { value: "date" } });
    fireEvent.change(since.getByLabelText("Default"), { target: { value: "2025-01-31" } });
    fireEvent.change(since.getByLabelText("Description"), { target: { value: "First day" } });
    fireEvent.click(since.getByLabelText("Required"));

    expect(store.getState().doc.schema).toMatchObject({
      properties: {
        count: { type: "integer", default: 5 },
        since: { type: "string", format: "date", default: "2025-01-31", description: "First day" },
      },
      required: ["count", "since"],
    });
    expect(preview().getByLabelText(/since/)).toHaveValue("2025-01-31");
  });

  it("checks a default against the type before it reaches the schema", () => {
    const store = open();
    const count = within(screen.getByRole("group", { name: "Input count" }));
    fireEvent.change(count.getByLabelText("Default"), { target: { value: "1.5" } });
    expect(count.getByText("A whole number")).toBeInTheDocument();
    expect(store.getState().doc.schema).toMatchObject({ properties: { count: { default: 5 } } });
    fireEvent.change(count.getByLabelText("Default"), { target: { value: "" } });
    expect(store.getState().doc.schema?.properties).toEqual({ count: { type: "integer" } });
  });

  it("removes an input (and its required mark)", () => {
    const store = open();
    fireEvent.click(screen.getByRole("button", { name: "Remove input count" }));
    expect(store.getState().doc.schema).toMatchObject({ properties: {}, required: [] });
    expect(screen.getByText("No inputs: the flow runs without a form.")).toBeInTheDocument();
  });
});
