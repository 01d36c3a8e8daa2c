import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SkeletonLines, SkeletonTable } from "./Skeleton";

describe("Skeleton", () => {
  it("stands in for <Loading>: a busy status read out by its label, blocks hidden", () => {
    render(<SkeletonTable rows={3} columns={2} label="Loading scripts…" />);
    const status = screen.getByRole("status");
    expect(status).toHaveAttribute("aria-busy", "true");
    expect(status).toHaveTextContent("Loading scripts…");
    expect(within(status).getAllByTestId("skeleton")).toHaveLength(6);
    within(status)
      .getAllByTestId("skeleton")
      .forEach((block) => expect(block).toHaveAttribute("aria-hidden", "true"));
  });

  it("draws text lines", () => {
    render(<SkeletonLines lines={4} />);
    expect(screen.getByRole("status")).toHaveTextContent("Loading…");
    expect(screen.getAllByTestId("skeleton")).toHaveLength(4);
  });
});
