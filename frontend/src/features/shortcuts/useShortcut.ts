import { useEffect, useRef } from "react";
import { registerShortcut, type ShortcutHandler, type ShortcutOptions } from "./registry";

/**
 * Registers `keys` (see keys.ts: `"g h"`, `"Mod+Enter"`) while the component is
 * mounted; it is listed in the `?` help sheet with `options.description`.
 * The handler may change on every render without re-registering.
 */
export function useShortcut(keys: string, handler: ShortcutHandler, options: ShortcutOptions): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const { description, global = false, group } = options;
  useEffect(
    () => registerShortcut(keys, (event) => latest.current(event), { description, global, group }),
    [keys, description, global, group],
  );
}
