import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { renderWithProviders } from "../../test/utils";
import { draftKey, loadDraft, storeDraft } from "./draft";
import { mockEditorApi, script } from "./testApi";

vi.mock("./CodeEditor", () => import("./testEditor"));

const KEY = draftKey("demo", "u/ada/greet");
const SAVED = script();
const DRAFT_CODE = "def main(name: str, count: int = 3, loud: bool = False):\n    return name\n";

afterEach(() => window.localStorage.clear());

function code(): HTMLTextAreaElement {
  return screen.getByRole<HTMLTextAreaElement>("textbox", { name: "Code" });
}

async function openEditor() {
  const fetchMock = mockEditorApi();
  renderWithProviders(<App />, { route: "/w/demo/scripts/edit/u/ada/greet" });
  await screen.findByRole("textbox", { name: "Code" });
  return fetchMock;
}

function description(): HTMLTextAreaElement {
  return screen.getByRole<HTMLTextAreaElement>("textbox", { name: "Description" });
}

function leaveViaBreadcrumb() {
  fireEvent.click(within(screen.getByRole("navigation", { name: "Breadcrumb" })).getByRole("link", { name: "Scripts" }));
}

describe("drafts", () => {
  it("keeps the document as a draft once typing pauses, and a save clears it", async () => {
    await openEditor();
    fireEvent.change(code(), { target: { value: DRAFT_CODE } });
    await waitFor(() => expect(loadDraft(KEY)).not.toBeNull());
    expect(loadDraft(KEY)).toMatchObject({
      content: DRAFT_CODE,
      summary: "Greets",
      description: SAVED.description,
      baseHash: SAVED.hash,
    });

    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText(/^Saved version/);
    expect(loadDraft(KEY)).toBeNull();
  });

  it("offers a draft from an earlier visit, and restores it", async () => {
    storeDraft(
      KEY,
      { path: SAVED.path, language: "python3", content: DRAFT_CODE, summary: "Louder", description: "Shouts.", edits: { fields: {} } },
      SAVED.hash,
    );
    await openEditor();
    expect(code()).toHaveValue(SAVED.content);
    expect(description()).toHaveValue(SAVED.description);

    fireEvent.click(await screen.findByRole("button", { name: /^Restore draft \(saved just now\)/ }));
    expect(code()).toHaveValue(DRAFT_CODE);
    expect(screen.getByLabelText("Summary")).toHaveValue("Louder");
    expect(description()).toHaveValue("Shouts.");
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Restore draft/ })).not.toBeInTheDocument();
  });

  it("throws a draft away on Discard", async () => {
    storeDraft(
      KEY,
      { path: SAVED.path, language: "python3", content: DRAFT_CODE, summary: "", description: "", edits: { fields: {} } },
      SAVED.hash,
    );
    await openEditor();
    fireEvent.click(await screen.findByRole("button", { name: "Discard draft" }));
    expect(loadDraft(KEY)).toBeNull();
    expect(code()).toHaveValue(SAVED.content);
  });

  it("does not offer a draft that is the saved version", async () => {
    const { path, language, content, summary, description } = SAVED;
    storeDraft(KEY, { path, language, content, summary, description, edits: { fields: {} } }, SAVED.hash);
    await openEditor();
    expect(screen.queryByRole("button", { name: /Restore draft/ })).not.toBeInTheDocument();
  });

  it("keeps an edited description as a draft", async () => {
    await openEditor();
    fireEvent.change(description(), { target: { value: "Greets, at length." } });
    await waitFor(() => expect(loadDraft(KEY)).toMatchObject({ content: SAVED.content, description: "Greets, at length." }));
  });

  it("restores a draft written before the description was editable, keeping the saved description", async () => {
    // The previous format: no description at all.
    const old = { path: SAVED.path, language: "python3", content: DRAFT_CODE, summary: "Louder", edits: { fields: {} } };
    window.localStorage.setItem(KEY, JSON.stringify({ ...old, baseHash: SAVED.hash, savedAt: new Date().toISOString() }));
    await openEditor();

    fireEvent.click(await screen.findByRole("button", { name: /^Restore draft/ }));
    expect(code()).toHaveValue(DRAFT_CODE);
    expect(screen.getByLabelText("Summary")).toHaveValue("Louder");
    expect(description()).toHaveValue(SAVED.description);
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
  });
});

describe("the unsaved-changes guard", () => {
  it("asks before leaving with unsaved changes: Stay keeps them, Leave goes", async () => {
    await openEditor();
    fireEvent.change(code(), { target: { value: DRAFT_CODE } });

    leaveViaBreadcrumb();
    const dialog = await screen.findByRole("dialog", { name: "Leave with unsaved changes?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Stay" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(code()).toHaveValue(DRAFT_CODE);

    leaveViaBreadcrumb();
    fireEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Leave" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Scripts" })).toBeInTheDocument();
  });

  it("counts an edited description as unsaved changes", async () => {
    await openEditor();
    fireEvent.change(description(), { target: { value: "Greets, at length." } });
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();

    leaveViaBreadcrumb();
    const dialog = await screen.findByRole("dialog", { name: "Leave with unsaved changes?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Stay" }));
    expect(description()).toHaveValue("Greets, at length.");
  });

  it("lets you leave without asking when nothing changed", async () => {
    await openEditor();
    leaveViaBreadcrumb();
    expect(await screen.findByRole("heading", { level: 1, name: "Scripts" })).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("has the browser ask before a reload or closing the tab", async () => {
    await openEditor();
    const unload = () => {
      const event = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(unload()).toBe(false);
    fireEvent.change(code(), { target: { value: DRAFT_CODE } });
    expect(unload()).toBe(true);
  });

  it("uses react-router's blocker under a data router, Back button included", async () => {
    mockEditorApi();
    const router = createMemoryRouter([{ path: "*", element: <App /> }], {
      initialEntries: ["/w/demo/scripts", "/w/demo/scripts/edit/u/ada/greet"],
      initialIndex: 1,
    });
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    );
    fireEvent.change(await screen.findByRole("textbox", { name: "Code" }), { target: { value: DRAFT_CODE } });

    await act(() => router.navigate(-1));
    fireEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Stay" }));
    expect(router.state.location.pathname).toBe("/w/demo/scripts/edit/u/ada/greet");

    leaveViaBreadcrumb();
    fireEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Leave" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/w/demo/scripts"));
  });
});
