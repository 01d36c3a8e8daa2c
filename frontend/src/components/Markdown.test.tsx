import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LazyMarkdown } from "./LazyMarkdown";
import { Markdown, safeUrl } from "./Markdown";

describe("Markdown", () => {
  it("renders bold, code, lists and links as elements", () => {
    const { container } = render(
      <Markdown>{"Say **hello** with `greet`.\n\n- one\n- two\n\n1. first\n\n[the docs](https://example.com/docs)"}</Markdown>,
    );
    expect(screen.getByText("hello").tagName).toBe("STRONG");
    expect(screen.getByText("greet").tagName).toBe("CODE");
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["one", "two", "first"]);
    expect(container.querySelector("ul")).not.toBeNull();
    expect(container.querySelector("ol")).not.toBeNull();
    expect(screen.getByRole("link", { name: "the docs" })).toHaveAttribute("href", "https://example.com/docs");
    expect(container.textContent).not.toContain("**");
  });

  it("opens links in a new tab without an opener", () => {
    render(<Markdown>{"[site](https://example.com) and [mail](mailto:ada@example.com)"}</Markdown>);
    for (const name of ["site", "mail"]) {
      const link = screen.getByRole("link", { name });
      expect(link).toHaveAttribute("target", "_blank");
      expect(link).toHaveAttribute("rel", "noopener noreferrer");
    }
    expect(screen.getByRole("link", { name: "mail" })).toHaveAttribute("href", "mailto:ada@example.com");
  });

  it("shows raw HTML as text, never as elements", () => {
    const html = '<script>alert("x")</script>\n\nHi <img src=x onerror="alert(1)"> there <iframe src="https://evil.example"></iframe>';
    const { container } = render(<Markdown>{html}</Markdown>);
    expect(container.querySelector("script, img, iframe")).toBeNull();
    expect(container.querySelector("[onerror]")).toBeNull();
    expect(container.textContent).toContain('<script>alert("x")</script>');
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it.each([
    ["a javascript: URL", "[click](javascript:alert(1))"],
    ["an upper-case JavaScript: URL", "[click](JaVaScRiPt:alert(1))"],
    ["an entity-encoded javascript: URL", "[click](jav&#x61;script:alert(1))"],
    ["a reference-style javascript: URL", "[click][x]\n\n[x]: javascript:alert(1)"],
    ["a data: URL", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["a vbscript: URL", "[click](vbscript:msgbox(1))"],
    ["a relative URL", "[click](/api/w/demo/scripts)"],
  ])("keeps a link to %s as plain text", (_label, text) => {
    const { container } = render(<Markdown>{text}</Markdown>);
    expect(screen.queryByRole("link")).not.toBeInTheDocument();
    expect(container.querySelector("a")).toBeNull();
    expect(container).toHaveTextContent("click");
  });

  it("does not link a javascript: autolink", () => {
    const { container } = render(<Markdown>{"<javascript:alert(1)>"}</Markdown>);
    expect(container.querySelector("a")).toBeNull();
    expect(container).toHaveTextContent("javascript:alert(1)");
  });

  it("shows an image's alt text, not the image", () => {
    const { container } = render(<Markdown>{"![a tracking pixel](https://evil.example/p.png) and ![](https://evil.example/q.png)"}</Markdown>);
    expect(container.querySelector("img")).toBeNull();
    expect(container).toHaveTextContent("a tracking pixel and");
  });

  it("puts its headings under the page's h1 and h2s", () => {
    render(<Markdown>{"# Usage\n\n## Inputs\n\n###### Notes"}</Markdown>);
    expect(screen.queryByRole("heading", { level: 1 })).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { level: 2 })).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 3, name: "Usage" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 4, name: "Inputs" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 6, name: "Notes" })).toBeInTheDocument();
  });
});

describe("safeUrl", () => {
  it.each([
    ["https://example.com/a?b=1#c", "https://example.com/a?b=1#c"],
    ["http://example.com", "http://example.com"],
    ["mailto:ada@example.com", "mailto:ada@example.com"],
    ["javascript:alert(1)", ""],
    ["data:text/html,x", ""],
    ["ftp://example.com", ""],
    ["/relative", ""],
    ["#anchor", ""],
  ])("%s → %j", (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });
});

describe("LazyMarkdown", () => {
  it("renders the Markdown once its chunk has loaded", async () => {
    render(<LazyMarkdown>{"**bold**"}</LazyMarkdown>);
    expect((await screen.findByText("bold")).tagName).toBe("STRONG");
  });
});
