import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";

const SCRIPT = {
  path: "u/ada/greet",
  language: "python3",
  hash: "a1b2c3d4e5f60718",
  summary: "Say hello",
  content: "def main(name: str):\n    return name\n",
  schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  settings: {
    limits: { timeout_s: 120, memory_mb: 1024 },
    network: "none",
    retry: { constant: { attempts: 2, seconds: 5 } },
    tag: "gpu",
    priority: 10,
    concurrency: { limit: 3, key: "customer-$args[customer_id]" },
  },
  created_by: "ada@example.com",
  created_at: "2025-01-02T10:00:00Z",
};

const WORKSPACE_SETTINGS = {
  workspace: "demo",
  settings: { default_network: "internet", max_limits: { memory_mb: 2048 } },
  effective_max_limits: {
    timeout_s: 86400,
    cpu_s: 86400,
    memory_mb: 2048,
    max_processes: 4096,
    file_size_mb: 10240,
    tmpfs_mb: 4096,
    open_files: 65536,
    log_bytes: 67108864,
  },
  default_limits: {
    timeout_s: 60,
    cpu_s: 60,
    memory_mb: 512,
    max_processes: 64,
    file_size_mb: 256,
    tmpfs_mb: 256,
    open_files: 256,
    log_bytes: 1048576,
  },
};

const PUT_URL = "/api/w/demo/scripts/settings/p/u/ada/greet";

function open(put: RouteHandler = async (request) => jsonResponse(await request.clone().json()), me = ME) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(me),
    "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse(SCRIPT),
    "GET /api/w/demo/settings": () => jsonResponse(WORKSPACE_SETTINGS),
    [`PUT ${PUT_URL}`]: put,
  });
  renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet?tab=settings" });
  return fetchMock;
}

/** The field (label, input, hint, error) holding the input labelled `label`. */
function field(label: string) {
  const input = screen.getByLabelText(label);
  const container = input.closest(".field");
  if (!(container instanceof HTMLElement)) throw new Error(`no .field around ${label}`);
  return { input, box: within(container) };
}

describe("Script settings", () => {
  it("opens from the tab, shows the stored settings and the workspace's defaults and maximums", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse(SCRIPT),
      "GET /api/w/demo/settings": () => jsonResponse(WORKSPACE_SETTINGS),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet" });

    fireEvent.click(await screen.findByRole("tab", { name: "Settings" }));
    expect(screen.getByRole("tab", { name: "Settings" })).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByRole("form", { name: "Script settings" })).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Run script" })).not.toBeInTheDocument();

    expect(screen.getByLabelText("Tag")).toHaveValue("gpu");
    expect(screen.getByLabelText("Priority")).toHaveValue(10);
    expect(screen.getByLabelText("Network")).toHaveValue("none");
    expect(screen.getByLabelText("Timeout")).toHaveValue(120);
    expect(screen.getByLabelText("Memory")).toHaveValue(1024);
    expect(screen.getByLabelText("CPU time")).toHaveValue(null);
    expect(screen.getByLabelText("Constant retries")).toHaveValue(2);
    expect(screen.getByLabelText("Delay")).toHaveValue(5);
    expect(screen.getByLabelText("Exponential retries")).toHaveValue(null);
    expect(screen.getByLabelText("Concurrency limit")).toHaveValue(3);
    expect(screen.getByLabelText("Concurrency key")).toHaveValue("customer-$args[customer_id]");

    // Units, the platform default as placeholder, and the workspace maximum as a hint.
    const memory = field("Memory");
    expect(memory.box.getByText("MB")).toHaveClass("unit");
    await waitFor(() => expect(memory.box.getByTestId("max-memory_mb")).toHaveTextContent("max 2048 MB"));
    expect(memory.box.getByText(/Default 512 MB/)).toBeInTheDocument();
    expect(memory.input).toHaveAttribute("placeholder", "512");
    expect(field("Log size").box.getByTestId("max-log_bytes")).toHaveTextContent("max 64 MiB");
    expect(within(screen.getByLabelText("Network")).getByRole("option", { name: "Workspace default (internet)" })).toHaveValue("");
  });

  it("saves the whole settings with PUT and says so", async () => {
    document.cookie = "csrftoken=tok-settings; path=/";
    const fetchMock = open();
    await screen.findByRole("form", { name: "Script settings" });

    fireEvent.change(screen.getByLabelText("Network"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("Memory"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("Open files"), { target: { value: "512" } });
    fireEvent.change(screen.getByLabelText("Exponential retries"), { target: { value: "3" } });
    fireEvent.change(screen.getByLabelText("Jitter"), { target: { value: "10" } });
    fireEvent.change(screen.getByLabelText("Concurrency key"), { target: { value: "" } });
    fireEvent.click(screen.getByRole("button", { name: "Save settings" }));

    expect(await screen.findByText(/^Saved\./)).toBeInTheDocument();
    const [put] = requests(fetchMock, "PUT", PUT_URL);
    expect(put!.headers.get("X-CSRFToken")).toBe("tok-settings");
    expect(await put!.json()).toEqual({
      limits: { timeout_s: 120, open_files: 512 },
      network: null,
      retry: { constant: { attempts: 2, seconds: 5 }, exponential: { attempts: 3, random_factor: 10 } },
      tag: "gpu",
      priority: 10,
      warm: false,
      concurrency: { limit: 3 },
    });
    expect(screen.getByLabelText("Open files")).toHaveValue(512);
    expect(screen.getByLabelText("Memory")).toHaveValue(null);
  });

  it("keeps a Python script warm when asked, and sends it with the rest", async () => {
    const fetchMock = open();
    await screen.findByRole("form", { name: "Script settings" });
    const warm = screen.getByRole("checkbox", { name: "Keep warm runners" });
    expect(warm).not.toBeChecked();
    fireEvent.click(warm);
    fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText(/^Saved\./)).toBeInTheDocument();
    const [put] = requests(fetchMock, "PUT", PUT_URL);
    expect(await put!.json()).toMatchObject({ warm: true, priority: 10 });
    expect(screen.getByRole("checkbox", { name: "Keep warm runners" })).toBeChecked();
  });

  it("shows the API's message next to the field it names and keeps what was typed", async () => {
    const message = "invalid settings: tag 'GPU box' (lowercase letters, digits, _ and -)";
    open(() => jsonResponse({ message, detail: { field: "settings.tag" } }, 400));
    await screen.findByRole("form", { name: "Script settings" });

    fireEvent.change(screen.getByLabelText("Tag"), { target: { value: "GPU box" } });
    fireEvent.change(screen.getByLabelText("Timeout"), { target: { value: "900" } });
    fireEvent.click(screen.getByRole("button", { name: "Save settings" }));

    const tag = field("Tag");
    expect(await tag.box.findByRole("alert")).toHaveTextContent(message);
    expect(tag.input).toHaveAttribute("aria-invalid", "true");
    expect(tag.input).toHaveAccessibleDescription(expect.stringContaining(message));
    expect(tag.input).toHaveValue("GPU box");
    expect(screen.getByLabelText("Timeout")).toHaveValue(900);
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    expect(screen.getByText("Not saved: see the message above.")).toBeInTheDocument();
    expect(screen.queryByText(/^Saved\./)).not.toBeInTheDocument();
  });

  it("puts a limit above the workspace maximum at that limit", async () => {
    const problem = "limits.memory_mb is 4096, above this workspace's maximum of 2048";
    open(() =>
      jsonResponse(
        { message: `invalid settings: ${problem}`, detail: { field: "settings.limits", problems: [problem] } },
        400,
      ),
    );
    await screen.findByRole("form", { name: "Script settings" });
    fireEvent.change(screen.getByLabelText("Memory"), { target: { value: "4096" } });
    fireEvent.click(screen.getByRole("button", { name: "Save settings" }));

    const memory = field("Memory");
    expect(await memory.box.findByRole("alert")).toHaveTextContent(`invalid settings: ${problem}`);
    expect(memory.input).toHaveValue(4096);
    expect(field("Timeout").box.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("places request-validation errors (a list of locs) at their fields", async () => {
    open(() =>
      jsonResponse(
        {
          message: "invalid request: payload.priority: Input should be less than or equal to 100",
          detail: [{ loc: ["body", "payload", "priority"], msg: "Input should be less than or equal to 100" }],
        },
        400,
      ),
    );
    await screen.findByRole("form", { name: "Script settings" });
    fireEvent.change(screen.getByLabelText("Priority"), { target: { value: "101" } });
    fireEvent.click(screen.getByRole("button", { name: "Save settings" }));

    const priority = field("Priority");
    expect(await priority.box.findByRole("alert")).toHaveTextContent(
      "invalid request: payload.priority: Input should be less than or equal to 100",
    );
    expect(priority.input).toHaveValue(101);
  });

  it("shows a refusal that names no field above the form", async () => {
    open(() => jsonResponse({ message: "this needs the admin or developer role", detail: null }, 403));
    await screen.findByRole("form", { name: "Script settings" });
    fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("this needs the admin or developer role");
    expect(alert).toHaveClass("form-error");
  });

  it("is read-only with view access to the script's path", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse(ME),
      "GET /api/w/demo/scripts/p/u/ada/greet": () => jsonResponse({ ...SCRIPT, access: "view" }),
      "GET /api/w/demo/settings": () => jsonResponse(WORKSPACE_SETTINGS),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet?tab=settings" });
    await screen.findByRole("form", { name: "Script settings" });
    expect(screen.getByTestId("settings-read-only")).toHaveTextContent("needs write access");
    expect(screen.getByRole("button", { name: "Save settings" })).toBeDisabled();
  });

  it("is not shown to operators: they are sent to the workspace's apps", async () => {
    mockApi({
      "GET /api/auth/me": () => jsonResponse({ ...ME, workspaces: [{ id: "demo", name: "Demo workspace", role: "operator" }] }),
      "GET /api/w/demo/apps": () => jsonResponse([]),
    });
    renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/greet?tab=settings" });
    expect(await screen.findByRole("heading", { name: "Apps" })).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Script settings" })).not.toBeInTheDocument();
  });
});
