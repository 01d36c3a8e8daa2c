import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { ArgsForm } from "../scripts/ArgsForm";
import { SchemaForm } from "./SchemaForm";
import { initialValues, type FormValue } from "./schemaForm";
import { useSchemaForm } from "./useSchemaForm";

const SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", description: "Who to greet.", examples: ["Ada"] },
    count: { type: "integer", default: 3, minimum: 1, maximum: 10 },
    ratio: { type: "number", default: 0.5 },
    verbose: { type: "boolean", default: false },
    tags: { type: "array", items: { type: "string" }, default: [] },
    mode: { enum: ["fast", "safe"], type: "string", default: "safe", enumLabels: { fast: "Fast" } },
    level: { anyOf: [{ const: 1, title: "Low" }, { const: 2, title: "High" }] },
    when: { anyOf: [{ type: "string", format: "date" }, { type: "null" }], default: null },
    at: { type: "string", format: "date-time" },
    email: { type: "string", format: "email" },
    note: { type: "string", format: "textarea", title: "Long note" },
    address: {
      type: "object",
      properties: { street: { type: "string" }, city: { type: "string" } },
      required: ["street", "city"],
    },
    blob: { type: "string", contentEncoding: "base64" },
    anything: {},
    db: { type: "string", format: "resource-postgresql" },
  },
  required: ["name"],
  additionalProperties: false,
};

/** A SchemaForm with its state, as ArgsForm uses it; `onValue` sees every change. */
function Harness({ onValue }: { onValue: (value: FormValue) => void }) {
  const form = useSchemaForm(SCHEMA, () => initialValues(SCHEMA));
  return (
    <form
      aria-label="Args"
      onSubmit={(e) => {
        e.preventDefault();
        form.trySubmit();
      }}
    >
      <SchemaForm
        schema={SCHEMA}
        idPrefix="t"
        value={form.value}
        errors={form.shown}
        onTouched={form.touch}
        onChange={(value) => {
          form.setValue(value);
          onValue(value);
        }}
      />
      <button type="submit">Submit</button>
    </form>
  );
}

function renderForm() {
  const onValue = vi.fn<(value: FormValue) => void>();
  render(<Harness onValue={onValue} />);
  const last = () => onValue.mock.lastCall?.[0] ?? {};
  return { onValue, last };
}

describe("SchemaForm", () => {
  it("labels every field, marks the required ones and shows descriptions as help", () => {
    renderForm();
    const name = screen.getByLabelText("name");
    expect(name).toHaveAttribute("type", "text");
    expect(name).toHaveAttribute("aria-required", "true");
    expect(name).toHaveAttribute("placeholder", "Ada");
    expect(name).toHaveAccessibleDescription("Who to greet.");
    expect(name.closest(".field")).toHaveTextContent("*");
    expect(screen.getByLabelText("count")).not.toHaveAttribute("aria-required");

    expect(screen.getByLabelText("count")).toHaveAttribute("type", "number");
    expect(screen.getByLabelText("count")).toHaveAttribute("step", "1");
    expect(screen.getByLabelText("count")).toHaveAttribute("min", "1");
    expect(screen.getByLabelText("count")).toHaveAttribute("max", "10");
    expect(screen.getByLabelText("ratio")).toHaveAttribute("step", "any");
    expect(screen.getByRole("switch", { name: "verbose" })).toHaveAttribute("aria-checked", "false");
    expect(screen.getByLabelText("mode").tagName).toBe("SELECT");
    expect(within(screen.getByLabelText("mode")).getByRole("option", { name: "Fast" })).toBeInTheDocument();
    expect(screen.getByLabelText("when")).toHaveAttribute("type", "date");
    expect(screen.getByLabelText("at")).toHaveAttribute("type", "datetime-local");
    expect(screen.getByLabelText("email")).toHaveAttribute("type", "email");
    expect(screen.getByLabelText("Long note").tagName).toBe("TEXTAREA");
    expect(screen.getByRole("group", { name: "address" })).toBeInTheDocument();
    expect(screen.getByLabelText("blob")).toHaveAttribute("type", "file");
    expect(screen.getByLabelText("anything").tagName).toBe("TEXTAREA");
    // Outside a workspace there are no resources to pick from: the reference (or a value) is typed.
    expect(screen.getByLabelText("db")).toHaveAccessibleDescription("A postgresql resource: $res:<path>, or its value as JSON");
  });

  it("gives numbers as numbers, and an emptied number as no value", () => {
    const { last } = renderForm();
    fireEvent.change(screen.getByLabelText("count"), { target: { value: "5" } });
    expect(last().count).toBe(5);
    fireEvent.change(screen.getByLabelText("ratio"), { target: { value: "0.25" } });
    expect(last().ratio).toBe(0.25);
    fireEvent.change(screen.getByLabelText("count"), { target: { value: "" } });
    expect("count" in last()).toBe(false);
  });

  it("gives text, dates and date-times as strings, the date-time with its offset", () => {
    const { last } = renderForm();
    fireEvent.change(screen.getByLabelText("name"), { target: { value: "Ada" } });
    fireEvent.change(screen.getByLabelText("when"), { target: { value: "2025-01-02" } });
    fireEvent.change(screen.getByLabelText("at"), { target: { value: "2025-01-02T10:30" } });
    expect(last()).toMatchObject({ name: "Ada", when: "2025-01-02" });
    expect(last().at).toMatch(/^2025-01-02T10:30:00(Z|[+-]\d\d:\d\d)$/);
    expect(screen.getByLabelText("at")).toHaveValue("2025-01-02T10:30");
  });

  it("toggles the switch", () => {
    const { last } = renderForm();
    const toggle = screen.getByRole("switch", { name: "verbose" });
    fireEvent.click(toggle);
    expect(toggle).toHaveAttribute("aria-checked", "true");
    expect(last().verbose).toBe(true);
    fireEvent.click(toggle);
    expect(last().verbose).toBe(false);
  });

  it("selects enum values with their own type", () => {
    const { last } = renderForm();
    expect(screen.getByLabelText("mode")).toHaveDisplayValue("safe");
    fireEvent.change(screen.getByLabelText("mode"), { target: { value: "0" } });
    expect(last().mode).toBe("fast");
    fireEvent.change(screen.getByLabelText("level"), { target: { value: "1" } });
    expect(last().level).toBe(2);
    expect(screen.getByLabelText("level")).toHaveDisplayValue("High");
  });

  it("adds and removes rows of a list", () => {
    const { last } = renderForm();
    const tags = screen.getByRole("group", { name: "tags" });
    fireEvent.click(within(tags).getByRole("button", { name: "Add item to tags" }));
    fireEvent.click(within(tags).getByRole("button", { name: "Add item to tags" }));
    expect(within(tags).getByLabelText("tags 2")).toHaveFocus();
    fireEvent.change(within(tags).getByLabelText("tags 1"), { target: { value: "a" } });
    fireEvent.change(within(tags).getByLabelText("tags 2"), { target: { value: "b" } });
    expect(last().tags).toEqual(["a", "b"]);

    fireEvent.click(within(tags).getByRole("button", { name: "Remove tags 1" }));
    expect(last().tags).toEqual(["b"]);
    expect(within(tags).getByLabelText("tags 1")).toHaveValue("b");
    expect(within(tags).queryByLabelText("tags 2")).not.toBeInTheDocument();
  });

  it("edits a nested object's fields", () => {
    const { last } = renderForm();
    const address = within(screen.getByRole("group", { name: "address" }));
    fireEvent.change(address.getByLabelText("city"), { target: { value: "Paris" } });
    expect(last().address).toEqual({ city: "Paris" });
    fireEvent.change(address.getByLabelText("city"), { target: { value: "" } });
    expect("address" in last()).toBe(false);
  });

  it("reads an uploaded file as base64 and shows its name and size", async () => {
    const { last } = renderForm();
    const file = new File(["hi"], "hi.txt", { type: "text/plain" });
    fireEvent.change(screen.getByLabelText("blob"), { target: { files: [file] } });
    await waitFor(() => expect(last().blob).toBe("aGk="));
    expect(screen.getByTestId("t-blob-file")).toHaveTextContent("hi.txt (2 B)");
    fireEvent.click(within(screen.getByTestId("t-blob-file")).getByRole("button", { name: "Remove" }));
    expect("blob" in last()).toBe(false);
  });

  it("shows a JSON field's parse error once it is left", () => {
    renderForm();
    const json = screen.getByLabelText("anything");
    fireEvent.change(json, { target: { value: '{"a": ' } });
    expect(json).not.toHaveAttribute("aria-invalid");
    fireEvent.blur(json);
    expect(json).toHaveAttribute("aria-invalid", "true");
    expect(json).toHaveAccessibleDescription(/^Invalid JSON/);
    fireEvent.change(json, { target: { value: '{"a": 1}' } });
    expect(json).not.toHaveAttribute("aria-invalid");
  });

  it("shows the required errors on submit", () => {
    renderForm();
    expect(screen.queryByText("Required")).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Submit" }));
    expect(screen.getByLabelText("name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("name")).toHaveAccessibleDescription("Who to greet. Required");
    // An optional object left empty is not checked.
    expect(screen.getByLabelText("city")).not.toHaveAttribute("aria-invalid");
  });

  it("shows a number out of range once it is left", () => {
    renderForm();
    const count = screen.getByLabelText("count");
    fireEvent.change(count, { target: { value: "11" } });
    fireEvent.blur(count);
    expect(count).toHaveAccessibleDescription("Must be at most 10");
  });
});

describe("ArgsForm", () => {
  function renderArgs(props: Partial<Parameters<typeof ArgsForm>[0]> = {}) {
    const onSubmit = vi.fn();
    const utils = render(
      <ArgsForm schema={SCHEMA} label="Run script" submitLabel="Run" pending={false} error={null} onSubmit={onSubmit} {...props} />,
    );
    return { onSubmit, ...utils };
  }

  it("shows the API's refusal of a field at that field", () => {
    const error = new ApiError(400, "invalid argument 'address.city': 3 is not of type 'string'", {
      field: "address.city",
    });
    renderArgs({ error });
    const city = screen.getByLabelText("city");
    expect(city).toHaveAttribute("aria-invalid", "true");
    expect(city).toHaveAccessibleDescription("invalid argument 'address.city': 3 is not of type 'string'");
    expect(city).toHaveFocus();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows an API error naming no field above the button", () => {
    renderArgs({ error: new ApiError(400, "arguments must be a JSON object", { field: null }) });
    expect(screen.getByRole("alert")).toHaveTextContent("arguments must be a JSON object");
  });

  it("submits the typed arguments, and does not while a field is invalid", () => {
    const { onSubmit } = renderArgs();
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByLabelText("name")).toHaveFocus();

    fireEvent.change(screen.getByLabelText("name"), { target: { value: "Ada" } });
    fireEvent.keyDown(screen.getByLabelText("name"), { key: "Enter", ctrlKey: true });
    expect(onSubmit).toHaveBeenCalledWith({ name: "Ada", count: 3, ratio: 0.5, verbose: false, tags: [], mode: "safe" });
  });

  it("switches to the raw JSON and back, keeping the arguments", () => {
    const { onSubmit } = renderArgs({ initialArgs: { name: "Ada", count: 2 } });
    fireEvent.click(screen.getByRole("button", { name: "JSON" }));
    expect(screen.getByRole("button", { name: "JSON" })).toHaveAttribute("aria-pressed", "true");
    const text = screen.getByLabelText("Arguments (JSON)");
    expect(text).toHaveValue('{\n  "name": "Ada",\n  "count": 2\n}');

    fireEvent.change(text, { target: { value: '{"name": ' } });
    fireEvent.click(screen.getByRole("button", { name: "JSON" }));
    expect(screen.getByRole("alert")).toHaveTextContent(/^Invalid JSON/);

    fireEvent.change(text, { target: { value: '{"name": "Bob", "verbose": true}' } });
    fireEvent.click(screen.getByRole("button", { name: "JSON" }));
    expect(screen.getByLabelText("name")).toHaveValue("Bob");
    expect(screen.getByRole("switch", { name: "verbose" })).toBeChecked();
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(onSubmit).toHaveBeenCalledWith({ name: "Bob", verbose: true });
  });

  it("edits JSON only when there is no schema", () => {
    renderArgs({ schema: {} });
    expect(screen.queryByRole("button", { name: "JSON" })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Arguments (JSON)")).toHaveValue("{}");
  });
});
