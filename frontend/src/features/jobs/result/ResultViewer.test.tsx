import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { captureDownloads, stubClipboard } from "../logs/textExport.testing";
import { ResultViewer } from "./ResultViewer";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function body(): HTMLElement {
  return screen.getByTestId("result");
}

/** The text of one column of the result table, top to bottom. */
function columnText(index: number): string[] {
  return within(body())
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell")[index]?.textContent ?? "");
}

describe("ResultViewer: JSON", () => {
  const value = { greeting: "hi", count: 2, ok: true, none: null, nested: { deep: { x: 1 } }, list: [1, "two"] };

  it("shows the result as indented JSON whose text is the JSON itself", () => {
    render(<ResultViewer result={{ greeting: "hi world", count: 2 }} data-testid="result" />);
    expect(body().textContent).toBe('{\n  "greeting": "hi world",\n  "count": 2\n}');
    expect(within(body()).getByText('"hi world"')).toHaveClass("json-string");
    expect(within(body()).getByText("2")).toHaveClass("json-number");
  });

  it("shows a primitive result as its JSON", () => {
    render(<ResultViewer result={42} data-testid="result" />);
    expect(body().textContent).toBe("42");
    expect(screen.getByRole("button", { name: "Tree" })).toHaveAttribute("aria-pressed", "true");
  });

  it("opens two levels, and folds and unfolds the rest with buttons", () => {
    render(<ResultViewer result={value} data-testid="result" />);
    expect(screen.getByRole("button", { name: "result" })).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByRole("button", { name: "nested" })).toHaveAttribute("aria-expanded", "true");
    const deep = screen.getByRole("button", { name: "nested.deep" });
    expect(deep).toHaveAttribute("aria-expanded", "false");
    expect(body()).toHaveTextContent('"deep": {…} // 1 key');

    fireEvent.click(deep);
    expect(deep).toHaveAttribute("aria-expanded", "true");
    // Fully open: exactly the pretty-printed JSON.
    expect(body().textContent).toBe(JSON.stringify(value, null, 2));

    fireEvent.click(screen.getByRole("button", { name: "nested" }));
    expect(screen.getByRole("button", { name: "nested" })).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByRole("button", { name: "nested.deep" })).not.toBeInTheDocument();
    expect(body()).toHaveTextContent('"nested": {…}, // 1 key');
  });

  it("shows a long array a hundred items at a time", () => {
    render(<ResultViewer result={{ items: Array.from({ length: 250 }, (_, i) => i) }} data-testid="result" />);
    expect(within(body()).getByText("99")).toBeInTheDocument();
    expect(within(body()).queryByText("100")).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Show 100 more" }));
    expect(within(body()).getByText("199")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Show 50 more" }));
    expect(within(body()).getByText("249")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Show \d+ more/ })).not.toBeInTheDocument();
  });

  it("shows the raw JSON and copies it", async () => {
    const clipboard = stubClipboard();
    cleanups.push(clipboard.restore);
    render(<ResultViewer result={value} data-testid="result" />);
    fireEvent.click(screen.getByRole("button", { name: "Raw" }));
    expect(screen.getByRole("button", { name: "Raw" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "Tree" })).toHaveAttribute("aria-pressed", "false");
    expect(body().querySelector("pre")?.textContent).toBe(JSON.stringify(value, null, 2));

    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Copy" })));
    expect(clipboard.writeText).toHaveBeenCalledWith(JSON.stringify(value, null, 2));
  });
});

describe("ResultViewer: tables", () => {
  const rows = [
    { name: "bob", score: 10, tags: ["a"] },
    { name: "ada", score: 9 },
    { name: "cy", score: null, note: 'said "hi", left' },
    { name: "dee", score: 100 },
  ];

  it("shows a list of records as a table with nested values as JSON", () => {
    render(<ResultViewer result={rows} data-testid="result" />);
    expect(screen.getByRole("button", { name: "Table" })).toHaveAttribute("aria-pressed", "true");
    const headers = within(body()).getAllByRole("columnheader").map((th) => th.textContent);
    expect(headers).toEqual(["name", "score", "tags", "note"]);
    expect(columnText(0)).toEqual(["bob", "ada", "cy", "dee"]);
    expect(columnText(2)).toEqual(['["a"]', "", "", ""]);
    expect(within(body()).getByText("4 rows")).toBeInTheDocument();
  });

  it("sorts by a column, numbers as numbers and blanks last, and says so with aria-sort", () => {
    render(<ResultViewer result={rows} data-testid="result" />);
    const score = screen.getByRole("columnheader", { name: "score" });
    expect(score).toHaveAttribute("aria-sort", "none");

    fireEvent.click(within(score).getByRole("button"));
    expect(score).toHaveAttribute("aria-sort", "ascending");
    expect(columnText(1)).toEqual(["9", "10", "100", "null"]);

    fireEvent.click(within(score).getByRole("button"));
    expect(score).toHaveAttribute("aria-sort", "descending");
    expect(columnText(1)).toEqual(["100", "10", "9", "null"]);

    fireEvent.click(screen.getByRole("button", { name: "name" }));
    expect(screen.getByRole("columnheader", { name: "name" })).toHaveAttribute("aria-sort", "ascending");
    expect(score).toHaveAttribute("aria-sort", "none");
    expect(columnText(0)).toEqual(["ada", "bob", "cy", "dee"]);
  });

  it("downloads the table as CSV, in the order shown", async () => {
    const downloads = captureDownloads();
    cleanups.push(downloads.restore);
    render(<ResultViewer result={rows} fileName="result-7b1f2c1e" data-testid="result" />);
    fireEvent.click(screen.getByRole("button", { name: "score" }));
    fireEvent.click(screen.getByRole("button", { name: "Download CSV" }));

    expect(downloads.files.map((file) => file.name)).toEqual(["result-7b1f2c1e.csv"]);
    expect(await downloads.files[0]?.blob.text()).toBe(
      [
        "name,score,tags,note",
        "ada,9,,",
        'bob,10,"[""a""]",',
        "dee,100,,",
        'cy,,,"said ""hi"", left"',
        "",
      ].join("\r\n"),
    );
  });

  it("switches to the JSON of the rows", () => {
    render(<ResultViewer result={rows} data-testid="result" />);
    fireEvent.click(screen.getByRole("button", { name: "JSON" }));
    expect(screen.getByRole("button", { name: "JSON" })).toHaveAttribute("aria-pressed", "true");
    expect(within(body()).queryByRole("table")).not.toBeInTheDocument();
    expect(body()).toHaveTextContent('"name": "bob"');
  });

  it("pages through a long table", () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({ id: i + 1 }));
    render(<ResultViewer result={many} data-testid="result" />);
    expect(within(body()).getAllByRole("row")).toHaveLength(101);
    expect(within(body()).getByText("Rows 1–100 of 1,200")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Previous" })).toBeDisabled();
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(within(body()).getByText("Rows 101–200 of 1,200")).toBeInTheDocument();
    expect(columnText(0)[0]).toBe("101");
    // A new sort starts again from the first page.
    fireEvent.click(screen.getByRole("button", { name: "id" }));
    fireEvent.click(screen.getByRole("button", { name: "id" }));
    expect(columnText(0)[0]).toBe("1200");
    expect(within(body()).getByText("Rows 1–100 of 1,200")).toBeInTheDocument();
  });
});

describe("ResultViewer: images", () => {
  it("shows a base64 PNG as an image with a link to download it", () => {
    render(<ResultViewer result={`data:image/png;base64,${PNG}`} fileName="result-7b1f2c1e" data-testid="result" />);
    const image = within(body()).getByRole("img", { name: "Result image" });
    expect(image).toHaveAttribute("src", `data:image/png;base64,${PNG}`);
    const link = within(body()).getByRole("link", { name: "Download image" });
    expect(link).toHaveAttribute("download", "result-7b1f2c1e.png");
    expect(link).toHaveAttribute("href", `data:image/png;base64,${PNG}`);
  });

  it("shows a {render: 'image'} result with its alt text", () => {
    render(<ResultViewer result={{ render: "image", data: PNG, alt: "Sales by month" }} data-testid="result" />);
    expect(within(body()).getByRole("img", { name: "Sales by month" })).toHaveAttribute(
      "src",
      `data:image/png;base64,${PNG}`,
    );
    fireEvent.click(screen.getByRole("button", { name: "JSON" }));
    expect(body()).toHaveTextContent('"alt": "Sales by month"');
  });
});
