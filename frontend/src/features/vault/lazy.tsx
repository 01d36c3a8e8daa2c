/**
 * The vault pages App.tsx routes to, each loaded on first visit (with their dialogs, and the
 * generated form of a resource type), so the initial bundle stays small.
 */
import { lazy, Suspense, type ComponentType } from "react";
import { SkeletonTable } from "../../components/Skeleton";

function lazyPage(load: () => Promise<ComponentType>, label: string): ComponentType {
  const Page = lazy(async () => ({ default: await load() }));
  return function LazyPage() {
    return (
      <Suspense fallback={<SkeletonTable label={label} />}>
        <Page />
      </Suspense>
    );
  };
}

export const LazyVariablesPage = lazyPage(async () => (await import("./VariablesPage")).VariablesPage, "Loading variables…");
export const LazyResourcesPage = lazyPage(async () => (await import("./ResourcesPage")).ResourcesPage, "Loading resources…");
