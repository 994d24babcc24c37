"use client";

import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";

/**
 * Below the md breakpoint the main menu folds behind a Menu button (it would otherwise push the
 * page wider than a phone's screen); from md up it is always shown in one row. Navigating closes it.
 */
export function CollapsibleNav({ tools, children }: { tools: ReactNode; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  useEffect(() => setOpen(false), [pathname]);
  return (
    <>
      <div className="ml-auto flex items-center gap-2 md:order-3 md:ml-0">
        {tools}
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          aria-controls="main-menu"
          data-testid="menu-toggle"
          className="rounded-md border border-line px-3 py-1 text-sm md:hidden"
        >
          {open ? "Close" : "Menu"}
        </button>
      </div>
      <div
        id="main-menu"
        className={`${open ? "flex" : "hidden"} order-last w-full flex-col gap-3 border-t border-line pt-3 md:order-2 md:flex md:w-auto md:flex-1 md:flex-row md:items-center md:gap-6 md:border-0 md:pt-0`}
      >
        {children}
      </div>
    </>
  );
}
