import type { ReactNode } from "react";

/**
 * A wide table scrolls sideways inside its card instead of widening the page on a phone. The
 * region is focusable so keyboard users can scroll it too.
 */
export function ScrollX({ label, children }: { label: string; children: ReactNode }) {
  return (
    // relative: an absolutely positioned child (a table's sr-only "Actions" header) is clipped
    // here too, instead of widening the page from where the wide table would end.
    <div role="region" aria-label={label} tabIndex={0} className="relative max-w-full overflow-x-auto">
      {children}
    </div>
  );
}
