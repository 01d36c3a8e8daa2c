import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { findModule, moveModule } from "../model/edits";
import { ORDER_DIGEST_YAML } from "../model/fixtures.testing";
import { specToGraph } from "../model/graph";
import { layoutGraph } from "../model/layout";
import type { FlowDocument } from "../model/types";
import { dropIndex } from "./toReactFlow";

const doc = parse(ORDER_DIGEST_YAML) as FlowDocument;
const topLevel = (d: FlowDocument) => d.value.modules.map((m) => m.id);

async function dropped(id: string, onto: string, dy = 0) {
  const laid = await layoutGraph(specToGraph(doc));
  const target = laid.nodes.find((box) => box.id === onto)!;
  const index = dropIndex(laid, id, target.y + dy);
  if (index === null) return null;
  const found = findModule(doc, id)!;
  return moveModule(doc, id, { list: found.position.list, index });
}

describe("dragging a step to another place of its sequence", () => {
  it("moves a step up, onto the place of the one it is dropped on", async () => {
    expect(topLevel((await dropped("send", "score"))!)).toEqual(["fetch", "send", "score", "decide"]);
  });

  it("moves a step down, below the ones whose middle it passes", async () => {
    expect(topLevel((await dropped("fetch", "send", 20))!)).toEqual(["score", "decide", "send", "fetch"]);
    // Dropped on the top of a tall group (the branch), it lands before it.
    expect(topLevel((await dropped("fetch", "decide", 10))!)).toEqual(["score", "fetch", "decide", "send"]);
  });

  it("leaves the document as it is when dropped back on its own place", async () => {
    expect(await dropped("score", "score")).toBe(doc);
  });

  it("does not drag what is not a step of a sequence", async () => {
    const laid = await layoutGraph(specToGraph(doc));
    expect(dropIndex(laid, "flow:input", 500)).toBeNull();
  });
});
