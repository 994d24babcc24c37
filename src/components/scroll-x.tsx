import type { ReactNode } from "react";

/**
 * A wide table scrolls sideways inside its card instead of widening the page on a phone. The
 * region is focusable so keyboard users can scroll it too.
 */
export function ScrollX({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className="max-w-full overflow-x-auto">
      {children}
    </div>
  );
}
