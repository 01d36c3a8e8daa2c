import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { useLocation } from "react-router";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, type RouteHandler } from "../../test/utils";
import { schedule } from "../schedules/testData";

const SCRIPTS = [
  {
    path: "u/ada/greet",
    language: "python3",
    hash: "a1b2c3d4e5f60718",
    summary: "Say hello",
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    versions: 1,
  },
  {
    path: "f/billing/invoice",
    language: "python3",
    hash: "b1b2c3d4e5f60718",
    summary: "Monthly invoices",
    created_by: "bob@example.com",
    created_at: "2025-01-02T10:00:00Z",
    versions: 3,
  },
];

const FLOWS = [
  {
    path: "f/billing/close_month",
    hash: "c1b2c3d4e5f60718",
    summary: "Close the books",
    created_by: "bob@example.com",
    created_at: "2025-01-02T10:00:00Z",
    versions: 2,
  },
];

const APPS = [{ path: "u/ada/expenses", summary: "Expense form", description: "", kind: "script" }];

/** Shows the router's location, to check what the page keeps in the URL. */
function Location() {
  const { pathname, search } = useLocation();
  return <div data-testid="location">{pathname + search}</div>;
}

function open(route = "/w/demo/home", routes: Record<string, RouteHandler> = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/scripts": () => jsonResponse(SCRIPTS),
    "GET /api/w/demo/flows": () => jsonResponse(FLOWS),
    "GET /api/w/demo/schedules": () => jsonResponse([schedule()]),
    "GET /api/w/demo/apps": () => jsonResponse(APPS),
    ...routes,
  });
  renderWithProviders(
    <>
      <App />
      <Location />
    </>,
    { route },
  );
  return fetchMock;
}

function rowTexts(section: HTMLElement): string[] {
  return within(section)
    .getAllByRole("listitem")
    .map((li) => li.textContent ?? "");
}

describe("Home page", () => {
  it("is the workspace's landing page and first in the sidebar", async () => {
    open("/w/demo");
    expect(await screen.findByRole("heading", { name: "Home" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/w/demo/home");
    const nav = screen.getByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link");
    expect(links[0]).toHaveTextContent("Home");
    expect(links[0]).toHaveAttribute("href", "/w/demo/home");
  });

  it("shows skeletons while loading, then everything by folder with kind badges and links", async () => {
    open();
    const skeleton = (await screen.findByText("Loading the workspace…")).closest("[role=status]");
    expect(skeleton).toHaveAttribute("aria-busy", "true");
    const mine = await screen.findByRole("region", { name: /u\/ada \(yours\)/ });
    expect(rowTexts(mine)).toEqual(["appu/ada/expensesExpense form", "scriptu/ada/greetSay hello", "scheduleu/ada/nightlyNightly report"]);
    expect(within(mine).getByRole("link", { name: "u/ada/greet" })).toHaveAttribute("href", "/w/demo/scripts/p/u/ada/greet");
    expect(within(mine).getByRole("link", { name: "u/ada/nightly" })).toHaveAttribute("href", "/w/demo/schedules/p/u/ada/nightly");
    expect(within(mine).getByRole("link", { name: "u/ada/expenses" })).toHaveAttribute("href", "/apps/demo/u/ada/expenses");

    const billing = screen.getByRole("region", { name: /f\/billing/ });
    expect(rowTexts(billing)).toEqual(["flowf/billing/close_monthClose the books", "scriptf/billing/invoiceMonthly invoices"]);
    expect(within(billing).getByRole("link", { name: "f/billing/close_month" })).toHaveAttribute(
      "href",
      "/w/demo/flows/p/f/billing/close_month",
    );
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });

  it("searches paths and summaries and keeps the search in the URL", async () => {
    open();
    const search = await screen.findByRole("searchbox", { name: "Search by path or summary" });
    await screen.findByRole("region", { name: /f\/billing/ });
    fireEvent.change(search, { target: { value: "INVOICE" } });
    expect(screen.getByTestId("location")).toHaveTextContent("/w/demo/home?q=INVOICE");
    expect(screen.queryByRole("region", { name: /u\/ada/ })).not.toBeInTheDocument();
    expect(rowTexts(screen.getByRole("region", { name: /f\/billing/ }))).toEqual(["scriptf/billing/invoiceMonthly invoices"]);
    expect(screen.getByRole("button", { name: /Scripts/ })).toHaveTextContent("Scripts 1");
  });

  it("reads the search and kinds from the URL, and toggles kinds there", async () => {
    open("/w/demo/home?q=ada&kind=schedule");
    const mine = await screen.findByRole("region", { name: /u\/ada/ });
    expect(screen.getByRole("searchbox")).toHaveValue("ada");
    expect(rowTexts(mine)).toEqual(["scheduleu/ada/nightlyNightly report"]);
    expect(screen.getByRole("button", { name: /Schedules/ })).toHaveAttribute("aria-pressed", "true");

    fireEvent.click(screen.getByRole("button", { name: /Apps/ }));
    expect(screen.getByTestId("location")).toHaveTextContent("/w/demo/home?q=ada&kind=schedule%2Capp");
    expect(rowTexts(mine)).toHaveLength(2);
  });

  it("says when nothing matches and clears the filters", async () => {
    open("/w/demo/home?q=zzz");
    expect(await screen.findByRole("heading", { name: "Nothing matches “zzz”" })).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Clear search and filters" }));
    expect(await screen.findByRole("region", { name: /u\/ada/ })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/w\/demo\/home$/);
  });

  it("lists everything else when the server has no apps listing", async () => {
    open("/w/demo/home", { "GET /api/w/demo/apps": () => jsonResponse({ message: "not found" }, 404) });
    const mine = await screen.findByRole("region", { name: /u\/ada/ });
    expect(rowTexts(mine)).toHaveLength(2);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows a failed list's message and still lists the others", async () => {
    open("/w/demo/home", { "GET /api/w/demo/flows": () => jsonResponse({ message: "flows are down" }, 500) });
    expect(await screen.findByRole("alert")).toHaveTextContent("flows are down");
    expect(await screen.findByRole("region", { name: /u\/ada/ })).toBeInTheDocument();
  });

  it("welcomes an empty workspace with a link to write the first script", async () => {
    const empty = () => jsonResponse([]);
    open("/w/demo/home", {
      "GET /api/w/demo/scripts": empty,
      "GET /api/w/demo/flows": empty,
      "GET /api/w/demo/schedules": empty,
      "GET /api/w/demo/apps": empty,
    });
    expect(await screen.findByRole("heading", { name: "Nothing here yet" })).toBeInTheDocument();
    const links = screen.getAllByRole("link", { name: "New script" });
    expect(links.at(-1)).toHaveAttribute("href", "/w/demo/scripts/new");
  });

  it("focuses the search with /", async () => {
    open();
    const search = await screen.findByRole("searchbox");
    fireEvent.keyDown(document.body, { key: "/" });
    await waitFor(() => expect(search).toHaveFocus());
  });
});
