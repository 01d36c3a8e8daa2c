import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { LogViewer } from "./LogViewer";
import { captureDownloads, stubClipboard } from "./textExport.testing";

function lines(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `line ${from + i}\n`).join("");
}

/** jsdom lays nothing out: give the viewport the sizes a browser would. */
function layOut(viewport: HTMLElement, { scrollHeight, clientHeight }: { scrollHeight: () => number; clientHeight: number }) {
  Object.defineProperty(viewport, "scrollHeight", { configurable: true, get: scrollHeight });
  Object.defineProperty(viewport, "clientHeight", { configurable: true, get: () => clientHeight });
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe("LogViewer", () => {
  it("shows each line with its number, and its text is the log's", () => {
    render(<LogViewer text={"starting\nhi world\n"} finished data-testid="logs" />);
    const log = screen.getByRole("log", { name: "Job logs" });
    expect(log).toBe(screen.getByTestId("logs"));
    expect(log.textContent).toBe("starting\nhi world\n");
    const numbers = [...log.querySelectorAll("[data-n]")].map((gutter) => gutter.getAttribute("data-n"));
    expect(numbers).toEqual(["1", "2"]);
    expect(screen.getByText("2 lines")).toBeInTheDocument();
  });

  it("says it waits for output, or that there was none", () => {
    const { rerender } = render(<LogViewer text="" finished={false} data-testid="logs" />);
    expect(screen.getByTestId("logs")).toHaveTextContent("Waiting for output…");
    rerender(<LogViewer text="" finished data-testid="logs" />);
    expect(screen.getByTestId("logs")).toHaveTextContent("No output.");
    expect(screen.queryByRole("button", { name: "Copy" })).not.toBeInTheDocument();
  });

  it("renders a few dozen rows of a 100,000-line log", () => {
    render(<LogViewer text={lines(100_000)} finished />);
    const log = screen.getByRole("log");
    const rows = log.querySelectorAll(".log-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(100);
    expect(within(log).getByText("line 1")).toBeInTheDocument();
    expect(screen.getByText("100,000 lines")).toBeInTheDocument();
    // The spacer is as tall as every line, so the scrollbar is right.
    const height = parseFloat((log.firstElementChild as HTMLElement).style.height);
    expect(height).toBeGreaterThanOrEqual(100_000 * 20);
    expect(height).toBeLessThan(100_001 * 20 + 16);
    // Too big to announce line by line.
    expect(log).toHaveAttribute("aria-live", "off");
  });

  it("shows ANSI colours as styled spans and never an escape code as text", () => {
    const text = "\x1b[1;31mError:\x1b[0m boom\n\x1b[2K\x1b]0;title\x07\x1b[38;2;0;128;255mblue\nstill blue\x1b[0m\n";
    render(<LogViewer text={text} finished />);
    const log = screen.getByRole("log");
    expect(within(log).getByText("Error:")).toHaveClass("ansi-fg-1", "ansi-bold");
    expect(within(log).getByText("blue")).toHaveStyle({ color: "rgb(0, 128, 255)" });
    // The colour carries over to the next line.
    expect(within(log).getByText("still blue")).toHaveStyle({ color: "rgb(0, 128, 255)" });
    expect(log.textContent).toBe("Error: boom\nblue\nstill blue\n");
    expect(log.textContent).not.toMatch(/\x1b|\[\d+m|title/);
  });

  it("follows new lines at the bottom, stops when scrolled up, and jumps back to the latest", () => {
    const { rerender } = render(<LogViewer text={lines(50)} finished={false} />);
    const log = screen.getByRole("log");
    expect(log).toHaveAttribute("aria-live", "polite");
    let height = 2000;
    layOut(log, { scrollHeight: () => height, clientHeight: 400 });

    height = 4000;
    rerender(<LogViewer text={lines(100)} finished={false} />);
    expect(log.scrollTop).toBe(4000);
    expect(screen.queryByRole("button", { name: "Jump to latest" })).not.toBeInTheDocument();

    // The reader scrolls up: new lines no longer move the view.
    log.scrollTop = 1000;
    fireEvent.scroll(log);
    height = 6000;
    rerender(<LogViewer text={lines(150)} finished={false} />);
    expect(log.scrollTop).toBe(1000);

    fireEvent.click(screen.getByRole("button", { name: "Jump to latest" }));
    expect(log.scrollTop).toBe(6000);
    expect(screen.queryByRole("button", { name: "Jump to latest" })).not.toBeInTheDocument();
    expect(log).toHaveFocus();

    // Scrolling back down to the bottom follows again too.
    log.scrollTop = 0;
    fireEvent.scroll(log);
    expect(screen.getByRole("button", { name: "Jump to latest" })).toBeInTheDocument();
    log.scrollTop = 6000 - 400;
    fireEvent.scroll(log);
    expect(screen.queryByRole("button", { name: "Jump to latest" })).not.toBeInTheDocument();
  });

  it("copies the log without its escape codes", async () => {
    const clipboard = stubClipboard();
    cleanups.push(clipboard.restore);
    render(<LogViewer text={"\x1b[32mok\x1b[0m\n"} finished />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Copy" })));
    expect(clipboard.writeText).toHaveBeenCalledWith("ok\n");
    expect(screen.getByRole("button", { name: "Copied" })).toBeInTheDocument();
  });

  it("downloads the log as a .log file without its escape codes", async () => {
    const downloads = captureDownloads();
    cleanups.push(downloads.restore);
    render(<LogViewer text={"\x1b[32mok\x1b[0m\ndone\n"} finished fileName="job-7b1f2c1e.log" />);
    fireEvent.click(screen.getByRole("button", { name: "Download" }));
    expect(downloads.files).toHaveLength(1);
    expect(downloads.files[0]?.name).toBe("job-7b1f2c1e.log");
    expect(await downloads.files[0]?.blob.text()).toBe("ok\ndone\n");
  });
});
