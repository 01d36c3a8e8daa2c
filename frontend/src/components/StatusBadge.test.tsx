import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { JobStatus } from "../api/client";
import { StatusBadge } from "./StatusBadge";

const CASES: [JobStatus, string][] = [
  ["queued", "Queued"],
  ["running", "Running"],
  ["success", "Success"],
  ["failure", "Failure"],
  ["canceled", "Canceled"],
  ["timeout", "Timeout"],
  ["crashed", "Crashed"],
];

describe("StatusBadge", () => {
  it.each(CASES)("renders %s with its label and colour class", (status, label) => {
    render(<StatusBadge status={status} />);
    const badge = screen.getByText(label);
    expect(badge).toHaveClass("badge", `badge-${status}`);
    expect(badge).toHaveAttribute("data-status", status);
  });

  it("gives every status a distinct class", () => {
    const { container } = render(
      <>
        {CASES.map(([status]) => (
          <StatusBadge key={status} status={status} />
        ))}
      </>,
    );
    const classes = Array.from(container.querySelectorAll(".badge"), (el) => el.className);
    expect(new Set(classes).size).toBe(CASES.length);
  });

  it.each([
    ["suspended", "Suspended"],
    ["sleeping", "Sleeping"],
    ["skipped", "Skipped"],
  ])("renders the flow step status %s with its label and colour class", (status, label) => {
    render(<StatusBadge status={status} />);
    expect(screen.getByText(label)).toHaveClass("badge", `badge-${status}`);
  });

  it("shows a status it does not know verbatim", () => {
    render(<StatusBadge status="paused" />);
    expect(screen.getByText("paused")).toHaveAttribute("data-status", "paused");
  });
});
