"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS = [
  { path: "", label: "Overview" },
  { path: "/deployments", label: "Deployments" },
  { path: "/logs", label: "Logs" },
  { path: "/environment", label: "Environment" },
  { path: "/domains", label: "Domains" },
  { path: "/monitoring", label: "Monitoring" },
  { path: "/settings", label: "Settings" },
];

export function AppTabs({ appId }: { appId: number }) {
  const pathname = usePathname();
  const base = `/apps/${appId}`;
  return (
    <nav aria-label="App sections" className="border-b border-line">
      <ul className="flex flex-wrap gap-1 text-sm">
        {TABS.map((tab) => {
          const href = `${base}${tab.path}`;
          const active = pathname === href;
          return (
            <li key={tab.label}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={`inline-block border-b-2 px-3 py-2 ${active ? "border-accent text-strong" : "border-transparent text-muted hover:text-strong"}`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
