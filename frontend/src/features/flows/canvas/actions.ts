/**
 * The canvas's callbacks, handed to node and edge components through a context rather than
 * their data: the callbacks stay stable, so a new `onSelect` from the page never re-renders
 * (or re-lays out) two hundred memoised nodes.
 */
import { createContext, useContext } from "react";
import type { Position } from "../model/types";
import type { NodeAction } from "./types";

export interface CanvasActions {
  select(id: string | null): void;
  insert(position: Position, anchor: DOMRect): void;
  act(action: NodeAction): void;
}

const noop: CanvasActions = { select: () => {}, insert: () => {}, act: () => {} };

export const CanvasActionsContext = createContext<CanvasActions>(noop);

export function useCanvasActions(): CanvasActions {
  return useContext(CanvasActionsContext);
}
