/**
 * The flow pages App.tsx routes to, each loaded on first visit: the editor brings React Flow,
 * elk, CodeMirror and the YAML library, none of which the rest of the app needs.
 */
import { lazy, Suspense, type ComponentType } from "react";
import { Loading } from "../../../components/Loading";

function lazyPage(load: () => Promise<ComponentType>, label: string): ComponentType {
  const Page = lazy(async () => ({ default: await load() }));
  return function LazyPage() {
    return (
      <Suspense fallback={<Loading label={label} />}>
        <Page />
      </Suspense>
    );
  };
}

export const LazyNewFlowPage = lazyPage(async () => (await import("./FlowEditorPage")).NewFlowPage, "Loading the editor…");
export const LazyEditFlowPage = lazyPage(async () => (await import("./FlowEditorPage")).EditFlowPage, "Loading the editor…");
export const LazyFlowDetailPage = lazyPage(async () => (await import("../FlowDetailPage")).FlowDetailPage, "Loading flow…");
